// A link to one comment (#comment-<id>) whose comment is on another page of the thread, such as an old
// WordPress link to a comment now on page 3: ask the site where it is. The page answers with a redirect to
// the right page of comments, in the reader's order (or back to the article when the comment is not shown
// to this reader). One try per link: if the comment is still not on the page it lands on, the reader stays.
// Without JavaScript the reader stays on this page.
(function () {
  "use strict";
  var match = /^#comment-(\d+)$/.exec(window.location.hash);
  var comments = document.getElementById("comments");
  if (!match || !comments || !comments.dataset.findComment || document.getElementById("comment-" + match[1])) {
    return;
  }
  try {
    if (window.sessionStorage.getItem("longwar-finding") === match[0]) {
      window.sessionStorage.removeItem("longwar-finding");
      return;
    }
    window.sessionStorage.setItem("longwar-finding", match[0]);
  } catch (unavailable) {
    return; // without storage a second try could not be told from the first
  }
  var order = /[?&]csort=([a-z]+)/.exec(window.location.search);
  var address = comments.dataset.findComment.replace("/0/", "/" + match[1] + "/");
  window.location.replace(address + (order ? "&csort=" + order[1] : ""));
})();
