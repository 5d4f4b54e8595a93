// The web chat. Nothing is kept in the browser: no cookies, no storage, the conversation id and
// messages live in this page's memory only and are dropped on exit.
(function () {
  "use strict";
  var body = document.body;
  var log = document.getElementById("log");
  var form = document.getElementById("form");
  var input = document.getElementById("input");
  var status = document.getElementById("status");
  var exit = document.getElementById("exit");
  var text = body.dataset;
  var MAX_CHARS = 4000;
  var TIMEOUT_MS = 30000;
  // The conversation's id is issued by the server (it accepts no other) and kept in this page's
  // memory only: whoever does not hold it cannot read or change this conversation.
  var sender = null;
  var starting = null;
  var leaving = false;
  var busy = false;

  function conversation() {
    if (sender) return Promise.resolve(sender);
    if (!starting) {
      starting = timed(fetch("conversation", {
        method: "POST", credentials: "omit", cache: "no-store",
        headers: { "Content-Type": "application/json" }, body: "{}"
      })).then(function (response) {
        if (!response.ok) throw new Error("no conversation");
        return response.json();
      }).then(function (answer) {
        sender = answer.sender;
        return sender;
      }, function (error) {
        starting = null; // the next message tries again
        throw error;
      });
    }
    return starting;
  }

  // A request that hangs is a failure after TIMEOUT_MS, not silence.
  function timed(promise) {
    return Promise.race([promise, new Promise(function (_, reject) {
      setTimeout(function () { reject(new Error("timeout")); }, TIMEOUT_MS);
    })]);
  }

  // Phone numbers become tap-to-call links, and like reference codes they are kept left to
  // right and on one line, whatever the language around them ("+380 44 123 4567" in Arabic).
  var PATTERN = /(\+?\d[\d \-().]{5,}\d)|(R-[0-9A-Z]{4}-[0-9A-Z]{4})/g;

  function fill(element, words, links) {
    var last = 0;
    words.replace(PATTERN, function (match, phone, reference, at) {
      element.appendChild(document.createTextNode(words.slice(last, at)));
      var piece;
      if (phone && links) {
        piece = document.createElement("a");
        piece.href = "tel:" + phone.replace(/[^\d+]/g, "");
      } else {
        piece = document.createElement("span");
      }
      piece.className = phone ? "number" : "reference";
      piece.dir = "ltr";
      piece.textContent = match;
      element.appendChild(piece);
      last = at + match.length;
      return match;
    });
    element.appendChild(document.createTextNode(words.slice(last)));
  }

  var LANGUAGE = /^\/change_language\{"language":"([a-z]{2})"\}$/;

  function bubble(words, who, lang) {
    var p = document.createElement("p");
    p.className = "msg " + who;
    p.dir = "auto"; // right-to-left text lays out right to left, whatever the page's language
    if (lang) p.lang = lang; // read in its own language's voice, whatever the page's language
    var said = document.createElement("span");
    said.className = "visually-hidden"; // who said it, for a screen reader: colour and side are not enough
    said.dir = document.documentElement.dir; // its own direction: it must not decide the message's
    said.lang = document.documentElement.lang; // and its own language: the page's
    said.textContent = (who === "person" ? text.you : who === "assistant" ? text.assistant : text.notice) + " ";
    p.appendChild(said);
    fill(p, words, who === "assistant");
    log.appendChild(p);
    return p;
  }

  function clearChoices() {
    Array.prototype.forEach.call(log.querySelectorAll(".choices"), function (group) { group.remove(); });
  }

  function choices(list, question, lang) {
    var group = document.createElement("div");
    group.className = "choices";
    group.setAttribute("role", "group");
    if (question) group.setAttribute("aria-label", question.slice(0, 120));
    list.forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b.title;
      button.dir = "auto";
      // A language's button is written in that language ("Українська").
      var named = LANGUAGE.exec(b.payload || "");
      button.lang = named ? named[1] : (lang || "");
      if (!button.lang) button.removeAttribute("lang");
      button.addEventListener("click", function () { send(b.payload, b.title); });
      group.appendChild(button);
    });
    log.appendChild(group);
    return group;
  }

  function setBusy(value) {
    busy = value;
    Array.prototype.forEach.call(log.querySelectorAll(".choices button"), function (b) { b.disabled = value; });
    form.querySelector("button[type=submit]").disabled = value;
  }

  function postAs(id, message, keepalive, metadata) {
    var payload = { sender: id, message: message };
    if (metadata) payload.metadata = metadata;
    return fetch("webhook", {
      method: "POST", credentials: "omit", cache: "no-store", keepalive: !!keepalive,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload)
    });
  }

  function post(message, metadata) {
    return conversation().then(function (id) { return timed(postAs(id, message, false, metadata)); });
  }

  // The answer, its buttons and the input all in view when they fit below the header; when they
  // do not (a list of services, a landscape phone), the answer's start, under the header.
  function showLatest(first) {
    var header = exit.closest("header").getBoundingClientRect().bottom;
    var end = form.getBoundingClientRect().bottom;
    var top = first ? first.getBoundingClientRect().top : end;
    if (end - top <= window.innerHeight - header) {
      form.scrollIntoView({ block: "end" });
    } else {
      window.scrollBy(0, top - header - 4);
    }
  }

  function send(message, shown, metadata) {
    if (leaving || busy || !message || !message.trim()) return false;
    var mine = shown !== null ? bubble(shown || message, "person") : null;
    if (mine) { mine.classList.add("sending"); mine.setAttribute("aria-busy", "true"); }
    status.textContent = text.sending;
    setBusy(true);
    post(message, metadata).then(function (response) {
      return response.json().catch(function () { return []; }).then(function (replies) {
        if (!response.ok) { var failure = new Error("status " + response.status); failure.replies = replies; throw failure; }
        return replies;
      });
    }).then(function (replies) {
      if (mine) { mine.classList.remove("sending"); mine.removeAttribute("aria-busy"); }
      status.textContent = "";
      clearChoices();
      setBusy(false);
      var first = null, group = null, question = "";
      (replies || []).forEach(function (m) {
        if (m.custom && m.custom.exit) { leave(false); return; }
        if (m.text) { var p = bubble(m.text, "assistant", m.lang); first = first || p; question = m.text; }
        if (m.buttons && m.buttons.length) group = choices(m.buttons, question, m.lang);
      });
      if (leaving) return;
      showLatest(first);
      // Focus follows the conversation: the first answer button, or the input.
      var target = group ? group.querySelector("button") : input;
      target.focus({ preventScroll: true });
    }).catch(function (error) {
      setBusy(false);
      status.textContent = "";
      failed(mine, message, shown, (error.replies || []).filter(function (m) { return m && m.text; }), metadata);
    });
    return true;
  }

  // Not sent: the person's words stay, marked, with a way to send them again.
  // The server's notice comes once in each language it speaks, each part marked with its language.
  function failed(mine, message, shown, notices, metadata) {
    var note = notices.length ? bubble(notices[0].text, "system", notices[0].lang)
                              : bubble(text.unreachable, "system");
    notices.slice(1).forEach(function (m) {
      var part = document.createElement("span");
      part.dir = "auto";
      if (m.lang) part.lang = m.lang;
      note.appendChild(document.createElement("br"));
      fill(part, m.text, false);
      note.appendChild(part);
    });
    if (mine) {
      mine.classList.remove("sending");
      mine.removeAttribute("aria-busy");
      mine.classList.add("failed");
    }
    var retry = document.createElement("button");
    retry.type = "button";
    retry.className = "retry";
    retry.lang = document.documentElement.lang;
    retry.textContent = text.retry;
    retry.addEventListener("click", function () {
      if (busy) return;
      note.remove();
      if (mine) mine.remove();
      send(message, shown, metadata);
    });
    note.appendChild(document.createElement("br"));
    note.appendChild(retry);
    showLatest(null);
    retry.focus({ preventScroll: true });
  }

  function leave(tellServer) {
    if (leaving) return;
    leaving = true;
    // Sent at once (keepalive), before the page goes: the server forgets the conversation too.
    if (tellServer && sender) { try { postAs(sender, "/exit_chat", true); } catch (e) { /* leaving matters more */ } }
    log.replaceChildren();
    input.value = "";
    sender = null;
    try { sessionStorage.clear(); localStorage.clear(); } catch (e) { /* nothing was stored */ }
    // replace(): the chat leaves the back-button history; the neutral page takes its place.
    location.replace(exit.href);
  }

  // Exit is a link to the neutral page, so it works without JavaScript too; with it, the
  // conversation is also deleted on the server and the chat leaves the back-button history.
  exit.addEventListener("click", function (event) { event.preventDefault(); leave(true); });

  // Escape three times within two seconds leaves at once. A single press is too easy to make by
  // accident (it also closes menus and the phone keyboard) and would throw the conversation away.
  // Each press says how many are left.
  var presses = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 2000; });
    presses.push(now);
    if (presses.length >= 3) { leave(true); return; }
    status.textContent = text.escapeMore.replace("{count}", String(3 - presses.length));
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var words = input.value;
    if (send(words)) {
      input.value = "";
      status.textContent = text.sending;
    }
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  // A paste longer than a message is cut by the browser: say so rather than lose words silently.
  input.addEventListener("input", function () {
    status.textContent = input.value.length >= MAX_CHARS ? text.cut : "";
  });
  // A reload or pull-to-refresh would lose a half-written answer: the browser asks first.
  window.addEventListener("beforeunload", function (event) {
    if (!leaving && input.value.trim()) { event.preventDefault(); event.returnValue = ""; }
  });

  // The assistant opens the conversation, in the page's language.
  send("/greet", null, { language: document.documentElement.lang });
  input.focus();
})();
