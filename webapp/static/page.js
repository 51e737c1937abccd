// troubleshoot-kb: small enhancements; every page works without this file.
// Copy buttons on a fix's code, Ctrl+Enter to diagnose, suggestions as you type, and votes
// and article requests sent in place (the forms still post on their own without it).
"use strict";

(function () {
  const body = document.body;

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    const area = document.createElement("textarea");  // plain http: the old way
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
    return Promise.resolve();
  }

  // A button on every code block of a fix, and on inline code that is a whole command (it
  // has arguments): a button after every `ipconfig` or `Security` would break the sentence.
  function addCopyButtons() {
    document.querySelectorAll('[data-part="fix"] pre, [data-part="fix"] :not(pre) > code').forEach(function (block) {
      if (block.tagName === "CODE" && !/\S\s+\S/.test(block.textContent.trim())) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "copy";
      button.dataset.action = "copy";
      button.textContent = body.dataset.copy || "Copy";
      button.addEventListener("click", function () {
        copyText(block.textContent).then(function () {
          button.textContent = body.dataset.copied || "Copied";
        });
      });
      block.insertAdjacentElement("afterend", button);
    });
  }

  function submitOnCtrlEnter() {
    document.querySelectorAll("form.paste textarea").forEach(function (area) {
      area.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          area.form.requestSubmit();
        }
      });
    });
  }

  function suggestAsYouType() {
    const area = document.querySelector("textarea[data-suggest]");
    const list = document.getElementById("suggestions");
    if (!area || !list) return;
    let timer = null;
    let asked = "";
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        const before = area.value.slice(0, area.selectionStart);
        const line = before.split("\n").pop().trim() || area.value.trim().split("\n")[0] || "";
        const q = line.slice(-120);
        if (q === asked) return;
        asked = q;
        if (q.length < 2) { list.hidden = true; return; }
        fetch(area.dataset.suggest + "?q=" + encodeURIComponent(q), {headers: {Accept: "application/json"}})
          .then(function (r) { return r.ok ? r.json() : {suggestions: []}; })
          .then(function (data) {
            list.replaceChildren();
            data.suggestions.forEach(function (s) {
              const item = document.createElement("li");
              const link = document.createElement("a");
              link.href = s.url;
              link.textContent = s.title;
              item.appendChild(link);
              list.appendChild(item);
            });
            list.hidden = data.suggestions.length === 0;
          })
          .catch(function () { list.hidden = true; });
      }, 150);
    });
  }

  function sendInPlace(selector, done) {
    document.querySelectorAll(selector).forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        const data = new FormData(form);
        if (event.submitter && event.submitter.name) {
          data.append(event.submitter.name, event.submitter.value);
        }
        fetch(form.action, {method: "POST", body: data, headers: {Accept: "application/json"}})
          .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
          .then(function (pair) {
            const note = document.createElement("p");
            note.setAttribute("role", "status");
            note.className = pair[0] ? "note" : "message";
            note.textContent = pair[0] ? done(pair[1]) : (pair[1].error || {}).message || "";
            form.replaceChildren(note);
          })
          .catch(function () { form.submit(); });
      });
    });
  }

  addCopyButtons();
  submitOnCtrlEnter();
  suggestAsYouType();
  sendInPlace("form.feedback", function (j) { return j.note; });
  sendInPlace("form.request-article", function () { return body.dataset.thanks; });
})();
