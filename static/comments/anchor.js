// A link to one comment (#comment-<id>) whose comment is on another page of the thread, such as an old
// WordPress link to a comment now on page 3: ask the site where it is. The page answers with a redirect to
// the right page of comments, in the reader's order (or back to the article when the comment is not shown
// to this reader). One try at a time: if the comment is still not on the page it leads to, the reader stays.
// Without JavaScript the reader stays on this page.
(function () {
  "use strict";
  var MARKER = "longwar-finding";
  var match = /^#comment-(\d+)$/.exec(window.location.hash);
  var comments = document.getElementById("comments");
  try {
    var finding = Number(window.sessionStorage.getItem(MARKER)) || 0;
    window.sessionStorage.removeItem(MARKER);
    if (!match || !comments || !comments.dataset.findComment || document.getElementById("comment-" + match[1])) {
      return;
    }
    if (Date.now() - finding < 30000) {
      return; // this page is where the last try led: the comment is not shown here
    }
    window.sessionStorage.setItem(MARKER, String(Date.now()));
  } catch (unavailable) {
    return; // without storage a second try could not be told from the first
  }
  var order = /[?&]csort=([a-z]+)/.exec(window.location.search);
  var address = comments.dataset.findComment.replace("/0/", "/" + match[1] + "/");
  window.location.replace(address + (order ? "&csort=" + order[1] : ""));
})();
