/* Keyboard moderation for the comment queue (admin changelist), as WordPress moderators know it.
   j/k move, a/s/d/u/f/r decide (on the selected rows if any), x selects, z undoes, Enter reviews,
   c opens the commenter's page, ? helps.
   Decisions are POSTed with fetch to the same one-click URLs the buttons use, so without JavaScript
   the page works as before. No dependencies. */
(() => {
  "use strict";
  const table = document.getElementById("result_list");
  const queue = document.getElementById("mq-queue");
  const form = document.getElementById("changelist-form");
  if (!table || !queue || !form) return;

  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const live = document.getElementById("mq-live");
  const help = document.getElementById("mq-help");
  const rows = Array.from(table.tBodies[0].rows);
  const decisions = {};
  help.querySelectorAll("[data-decision]").forEach((item) => { decisions[item.dataset.key] = item.dataset.decision; });
  let current = -1;
  let pending = Promise.resolve(); // requests go one after another, so z always follows the decision it undoes

  const checkbox = (row) => row.querySelector("input.action-select");
  const say = (text) => { live.textContent = text; };

  function focusRow(index) {
    if (index < 0 || index >= rows.length) return;
    if (rows[current]) rows[current].classList.remove("mq-current");
    current = index;
    rows[index].classList.add("mq-current");
    rows[index].focus();
  }

  function nextOpen(from) {
    for (let i = from + 1; i < rows.length; i += 1) if (!rows[i].classList.contains("mq-done")) return i;
    return -1;
  }

  function send(url, data) {
    data.append("csrfmiddlewaretoken", csrf);
    const request = () => fetch(url, {
      method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" },
    }).then((response) => response.json().then((json) => {
      if (!response.ok) throw new Error(json.message || response.statusText);
      return json;
    }));
    pending = pending.then(request, request);
    return pending;
  }

  function setStatus(row, label) {
    const status = row.querySelector(".mq-status");
    if (status && label) status.textContent = label;
  }

  function fail(rowsAffected, error) {
    rowsAffected.forEach((row) => { row.classList.remove("mq-done"); row.classList.add("mq-failed"); });
    say(`Not saved: ${error.message}. Try again, or use the buttons.`);
  }

  function advancePast(index) {
    const next = nextOpen(index);
    if (next >= 0) focusRow(next);
    else say("End of this page. Press j to load the next comments.");
  }

  function decide(name) {
    const selected = rows.filter((row) => checkbox(row).checked);
    if (selected.length) {
      bulk(name, selected);
      return;
    }
    const row = rows[current];
    if (!row) return;
    row.classList.remove("mq-failed");
    row.classList.add("mq-done");
    advancePast(current);
    const url = queue.dataset.moderateUrl.replace("__pk__", checkbox(row).value).replace("__decision__", name);
    send(url, new FormData()).then((json) => {
      setStatus(row, json.status);
      say(`${json.message} Press z to undo.`);
    }).catch((error) => fail([row], error));
  }

  function bulk(name, selected) {
    const data = new FormData();
    data.append("action", name);
    data.append("index", "0");
    selected.forEach((row) => {
      data.append("_selected_action", checkbox(row).value);
      checkbox(row).click(); // unselect, keeping the admin's counter right
      row.classList.add("mq-done");
    });
    advancePast(rows.indexOf(selected[selected.length - 1]));
    send(window.location.href, data).then((json) => say(`${json.message} Press z to undo.`))
      .catch((error) => fail(selected, error));
  }

  function undo() {
    const data = new FormData();
    data.append("batch", "");
    send(queue.dataset.undoUrl, data).then((json) => {
      let first = -1;
      Object.entries(json.restored).forEach(([pk, label]) => {
        const index = rows.findIndex((row) => checkbox(row).value === pk);
        if (index < 0) return;
        rows[index].classList.remove("mq-done", "mq-failed");
        setStatus(rows[index], label);
        if (first < 0 || index < first) first = index;
      });
      if (first >= 0) focusRow(first);
      say(json.message);
    }).catch((error) => say(error.message));
  }

  function move(step) {
    const target = current + step;
    if (target >= rows.length && nextOpen(-1) < 0) {
      pending.then(() => window.location.reload());
      return;
    }
    focusRow(Math.max(0, Math.min(rows.length - 1, target)));
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input:not([type=checkbox]), textarea, select, [contenteditable]")) return;
    if (help.open) return; // the dialog closes itself with Esc
    const key = event.key;
    if (key === "?") help.showModal();
    else if (key === "j") move(1);
    else if (key === "k") move(-1);
    else if (key === "z") undo();
    else if (key === "x" && rows[current]) checkbox(rows[current]).click();
    else if (key === "c" && rows[current] && rows[current].querySelector(".mq-who a")) {
      window.location.href = rows[current].querySelector(".mq-who a").href;
    }
    else if (key === "Enter" && rows[current] && event.target.tagName !== "BUTTON" && event.target.tagName !== "A") {
      window.location.href = rows[current].querySelector("a.mq-review").href;
    } else if (decisions[key]) decide(decisions[key]);
    else return;
    event.preventDefault();
  });

  rows.forEach((row, index) => {
    row.tabIndex = -1;
    row.addEventListener("click", () => { if (current !== index) focusRow(index); });
  });
  document.querySelector(".mq-hint").hidden = false;
  if (rows.length && document.activeElement === document.body) focusRow(0);
})();
