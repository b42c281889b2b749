// The reading room's one script. Everything works without it; it only adds comfort:
// a waiting or running job's progress follows live, a passage selected in the reader becomes the
// new note's quote, and a citation copies with one button.
"use strict";

(function followJob() {
  const box = document.getElementById("job");
  if (!box || box.dataset.running !== "true") return;
  const id = box.dataset.job;
  const bar = document.getElementById("job-progress");
  const count = document.getElementById("job-count");
  const tick = async () => {
    let job;
    try {
      const r = await fetch("/api/jobs/" + encodeURIComponent(id), { credentials: "same-origin" });
      if (!r.ok) return setTimeout(tick, 3000);
      job = await r.json();
    } catch (_) {
      return setTimeout(tick, 3000);
    }
    if (job.state !== box.dataset.state) {
      // Claimed by a worker, or finished: the server renders it in the page's language.
      window.location.reload();
      return;
    }
    if (job.total > 0 && bar) {
      bar.max = job.total;
      bar.value = job.done;
      if (count) count.textContent = job.done + " / " + job.total;
    }
    setTimeout(tick, 1000);
  };
  setTimeout(tick, 1000);
})();

(function quoteFromSelection() {
  // A selection inside one sheet's text fills that sheet's note form: the exact words,
  // and where on the page they begin (a W3C TextPositionSelector, counted in characters
  // of the page's text), so that a quote that occurs twice is anchored where it was
  // selected. The archive anchors it as `kartoteka note add` does.
  document.addEventListener("mouseup", () => pick());
  document.addEventListener("keyup", (e) => { if (e.shiftKey) pick(); });
  const chars = (s) => Array.from(s).length;
  function startOf(range) {
    let node = range.startContainer;
    const element = node.nodeType === 1 ? node : node.parentElement;
    const para = element && element.closest("p[data-start]");
    if (!para) return null;
    let count = 0;
    const walker = document.createTreeWalker(para, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n === node) {
        if (n.nodeType === 3) count += chars(n.data.slice(0, range.startOffset));
        break;
      }
      if (n.nodeType === 3) count += chars(n.data);
      else if (n.nodeName === "BR") count += 1;
    }
    return Number(para.dataset.start) + count;
  }
  function pick() {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || sel.rangeCount === 0) return;
    const text = sel.toString().trim();
    if (!text) return;
    const range = sel.getRangeAt(0);
    const node = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement;
    const sheet = node && node.closest(".sheet");
    if (!sheet || !node.closest(".text")) return;
    // Every form of the sheet that quotes (a note; an analyst's claim) takes it.
    const forms = sheet.querySelectorAll("form:has(textarea[name=quote])");
    if (forms.length === 0) return;
    const start = startOf(range);
    // Leading white space selected is not part of the quote.
    const lead = chars(sel.toString()) - chars(sel.toString().trimStart());
    for (const form of forms) {
      form.querySelector("textarea[name=quote]").value = text.replace(/\s+/g, " ");
      const field = form.querySelector("input[name=start]");
      if (field) field.value = start === null ? "" : String(start + lead);
      const hint = form.querySelector(".selected-hint");
      if (hint) hint.hidden = false;
    }
    // The note's form opens, as before; the claim's stays as the reader left it.
    const details = forms[0].closest("details");
    if (details) details.open = true;
  }
})();

(function copyCitations() {
  for (const input of document.querySelectorAll(".cite input")) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = input.dataset.copy || "Copy";
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(input.value);
      } catch (_) {
        input.select();
        document.execCommand("copy");
      }
      button.textContent = input.dataset.copied || "Copied";
    });
    input.after(button);
  }
})();

(function uploadHoldings() {
  // The zip goes as the request's body (streamed to disk by the server), the session's
  // CSRF token in its header; its progress shows, then the ingest job's page.
  const form = document.getElementById("upload");
  if (!form) return;
  form.hidden = false;
  const bar = document.getElementById("upload-progress");
  const error = document.getElementById("upload-error");
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const file = document.getElementById("upload-file").files[0];
    if (!file) return;
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/uploads?name=" + encodeURIComponent(file.name));
    xhr.setRequestHeader("Content-Type", "application/zip");
    xhr.setRequestHeader("X-CSRF-Token", form.dataset.csrf);
    bar.hidden = false;
    error.hidden = true;
    xhr.upload.onprogress = (p) => {
      if (p.lengthComputable) {
        bar.max = p.total;
        bar.value = p.loaded;
      }
    };
    xhr.onload = () => {
      let answer = {};
      try { answer = JSON.parse(xhr.responseText); } catch (_) { /* shown below */ }
      if (xhr.status === 202 && answer.id) {
        window.location.href = "/jobs/" + encodeURIComponent(answer.id) + window.location.search;
      } else {
        error.textContent = (answer.error && answer.error.message) || ("HTTP " + xhr.status);
        error.hidden = false;
      }
    };
    xhr.onerror = () => {
      error.textContent = "The upload broke off.";
      error.hidden = false;
    };
    xhr.send(file);
  });
})();
