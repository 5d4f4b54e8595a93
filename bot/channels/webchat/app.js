// The web chat. Nothing is kept in the browser: no cookies, no storage, the conversation id and
// messages live in this page's memory only and are dropped on exit.
(function () {
  "use strict";
  var body = document.body;
  var log = document.getElementById("log");
  var form = document.getElementById("form");
  var input = document.getElementById("input");
  // The conversation's id is issued by the server (it accepts no other) and kept in this page's
  // memory only: whoever does not hold it cannot read or change this conversation.
  var sender = null;
  var starting = null;
  var leaving = false;

  function conversation() {
    if (sender) return Promise.resolve(sender);
    if (!starting) {
      starting = fetch("conversation", {
        method: "POST", credentials: "omit", cache: "no-store",
        headers: { "Content-Type": "application/json" }, body: "{}"
      }).then(function (response) {
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

  function bubble(text, who) {
    var p = document.createElement("p");
    p.className = "msg " + who;
    p.dir = "auto"; // right-to-left text lays out right to left, whatever the page's language
    p.textContent = text;
    log.appendChild(p);
    p.scrollIntoView({ block: "end" });
  }

  function choices(list) {
    var group = document.createElement("div");
    group.className = "choices";
    group.setAttribute("role", "group");
    list.forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b.title;
      button.dir = "auto";
      button.addEventListener("click", function () { send(b.payload, b.title); });
      group.appendChild(button);
    });
    log.appendChild(group);
  }

  function postAs(id, message, keepalive) {
    return fetch("webhook", {
      method: "POST", credentials: "omit", cache: "no-store", keepalive: !!keepalive,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: id, message: message })
    });
  }

  function post(message) {
    return conversation().then(function (id) { return postAs(id, message, false); });
  }

  function send(message, shown) {
    if (leaving || !message || !message.trim()) return;
    if (shown !== null) bubble(shown || message, "person");
    Array.prototype.forEach.call(log.querySelectorAll(".choices button"), function (b) { b.disabled = true; });
    post(message).then(function (response) {
      return response.json().catch(function () { return []; });
    }).then(function (replies) {
      (replies || []).forEach(function (m) {
        if (m.custom && m.custom.exit) { leave(false); return; }
        if (m.text) bubble(m.text, "assistant");
        if (m.buttons && m.buttons.length) choices(m.buttons);
      });
    }).catch(function () {
      bubble(body.dataset.unreachable, "system");
    });
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
    location.replace(body.dataset.exitUrl);
  }

  document.getElementById("exit").addEventListener("click", function () { leave(true); });

  // Escape three times within two seconds leaves at once. A single press is too easy to make by
  // accident (it also closes menus and the phone keyboard) and would throw the conversation away.
  var presses = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 2000; });
    presses.push(now);
    if (presses.length >= 3) leave(true);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    send(text);
    input.focus();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });

  send("/greet", null); // the assistant opens the conversation
  input.focus();
})();
