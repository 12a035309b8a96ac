/* The resident chat page: one WebSocket, resumed after reloads and reconnects. Plain JS, no libraries.
   Everything shown is set as text (textContent, text nodes), so what anyone typed is never run as HTML. */
(function () {
  "use strict";

  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("input");
  var locate = document.getElementById("locate");
  var photo = document.getElementById("photo");  // only on a signed-in grid worker's page (巡查上报)
  var statusEl = document.getElementById("status");
  var socket = null;
  var delay = 1000;
  var seenKeys = {};
  var STORE = "minsheng.pending";
  var RELOADED = "minsheng.reloaded";
  // Close codes: no id the server signed (reload once) / no new id for this address yet (stop) /
  // too many new residents at once (reconnect in 10–20 s, spread so the queue drains steadily).
  var RELOAD = 4401, TRY_LATER = 4429, QUEUED = 4503;
  var lastNotice = null;

  function pending() {
    try { return JSON.parse(sessionStorage.getItem(STORE) || "[]"); } catch (e) { return []; }
  }
  function savePending(list) { sessionStorage.setItem(STORE, JSON.stringify(list)); }
  function dropPending(id) { savePending(pending().filter(function (p) { return p.id !== id; })); }

  function newId() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "status " + kind;
  }

  function system(text) {
    lastNotice = text;
    var p = document.createElement("p");
    p.className = "system";
    p.textContent = text;
    log.appendChild(p);
    scrollDown();
  }

  // A case number (MS-20261127-0001) goes in its own nowrap span, so a line never breaks at its hyphens.
  function fill(element, text) {
    var source = text == null ? "" : String(text);
    var pattern = /[A-Z]{1,8}-\d{8}-\d{4,}/g;
    var at = 0;
    var found;
    while ((found = pattern.exec(source)) !== null) {
      element.appendChild(document.createTextNode(source.slice(at, found.index)));
      var span = document.createElement("span");
      span.className = "case-number";
      span.textContent = found[0];
      element.appendChild(span);
      at = found.index + found[0].length;
    }
    element.appendChild(document.createTextNode(source.slice(at)));
  }

  function bubble(role, text, tag) {
    var box = document.createElement("div");
    box.className = "msg " + role;
    if (tag) {
      var label = document.createElement("div");
      label.className = "tag";
      label.textContent = tag;
      box.appendChild(label);
    }
    var body = document.createElement("div");
    body.className = "bubble";
    fill(body, text);
    box.appendChild(body);
    log.appendChild(box);
    scrollDown();
    return box;
  }

  function mark(box, state, text) {
    box.classList.remove("sending", "refused", "failed");
    if (state) { box.classList.add(state); }
    var note = box.querySelector(".state");
    if (!note) {
      note = document.createElement("div");
      note.className = "state";
      box.appendChild(note);
    }
    note.textContent = text;
  }

  function retireChoices() {
    Array.prototype.forEach.call(log.querySelectorAll(".choices button"), function (b) { b.disabled = true; });
  }

  function showChoices(box, choices, live) {
    if (!choices || !choices.length) { return; }
    var row = document.createElement("div");
    row.className = "choices";
    choices.forEach(function (choice) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = choice.label;
      button.disabled = !live;
      button.addEventListener("click", function () {
        retireChoices();
        button.classList.add("picked");
        send({ type: "choice", value: choice.value, label: choice.label }, choice.label);
      });
      row.appendChild(button);
    });
    box.appendChild(row);
    scrollDown();
  }

  function botSays(item, live) {
    if (item.key) {
      if (seenKeys[item.key]) { return; }
      seenKeys[item.key] = true;
    }
    if (live) { retireChoices(); }
    var box = bubble(item.push ? "push" : "bot", item.text, item.push ? "进度通知" : "");
    showChoices(box, item.choices, live);
    locate.classList.toggle("wanted", !!item.request_location);
  }

  // `shown` is for this page only (the bubble redrawn after a reload); the server is sent the rest.
  function transmit(payload) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(payload, function (key, value) { return key === "shown" ? undefined : value; }));
    }
  }

  function send(payload, shown) {
    payload.id = newId();
    payload.shown = shown;
    var list = pending();
    list.push(payload);
    savePending(list);
    var box = bubble("resident", shown);
    box.dataset.id = payload.id;
    box.classList.add("sending");
    transmit(payload);
  }

  function boxFor(id) { return log.querySelector('.msg[data-id="' + id + '"]'); }

  function onHistory(items) {
    log.textContent = "";
    seenKeys = {};
    if (!items.length) {
      system(photo ? "您好！这里是巡查上报。直接说明（或拍下）巡查发现的情况，地点默认是您负责的网格。"
                   : "您好！这里是民声在线受理。请直接描述您遇到的问题，例如“小区门口的路灯坏了一个多月了”。");
    }
    items.forEach(function (item, i) {
      if (item.role === "resident") {
        bubble("resident", item.text);
      } else {
        botSays({ text: item.text, choices: item.choices, key: item.key, push: !!item.key }, i === items.length - 1);
      }
    });
    pending().forEach(function (p) {
      var box = bubble("resident", p.shown);
      box.dataset.id = p.id;
      box.classList.add("sending");
      transmit(p);
    });
  }

  function onMessage(event) {
    var msg;
    try { msg = JSON.parse(event.data); } catch (e) { return; }
    var box = msg.id ? boxFor(msg.id) : null;
    if (msg.type === "history") { onHistory(msg.items || []); }
    else if (msg.type === "reply") { botSays(msg, true); }
    else if (msg.type === "push") { msg.push = true; botSays(msg, true); }
    else if (msg.type === "ack") { dropPending(msg.id); if (box) { box.classList.remove("sending"); } }
    else if (msg.type === "refused") {
      dropPending(msg.id);
      if (box) { mark(box, "refused", "未发送"); }
      if (msg.text) { system(msg.text); }
    } else if (msg.type === "error") {
      dropPending(msg.id);
      if (box) { mark(box, "failed", "发送失败"); }
      if (msg.id || msg.text !== lastNotice) { system(msg.text); }  // a queue's notice, said once
    } else if (msg.type === "notice") { system(msg.text); }
  }

  // The server issues the resident's id with the page: reload to get one (or have an old one signed),
  // but only once a minute, so a browser that refuses cookies does not reload forever.
  function reloadOnce() {
    try {
      var last = Number(sessionStorage.getItem(RELOADED) || 0);
      if (Date.now() - last < 60000) { return false; }
      sessionStorage.setItem(RELOADED, String(Date.now()));
    } catch (e) { return false; }
    setStatus("正在刷新…", "offline");
    location.reload();
    return true;
  }

  function connect() {
    setStatus("连接中…", "offline");
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws");
    socket.addEventListener("open", function () { delay = 1000; setStatus("在线", "online"); });
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", function (event) {
      if (event.code === RELOAD && reloadOnce()) { return; }
      if (event.code === RELOAD || event.code === TRY_LATER) {
        setStatus("未连接", "offline");  // the server said why; a reload later is the resident's call
        return;
      }
      if (event.code === QUEUED) {
        setStatus("排队中…", "offline");
        setTimeout(connect, 10000 + Math.random() * 10000);
        return;
      }
      setStatus("连接中断，正在重连…", "offline");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15000);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    send({ type: "text", text: text }, text);
    input.value = "";
    input.style.height = "";
    input.focus();
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  input.addEventListener("input", function () {
    input.style.height = "";
    input.style.height = Math.min(input.scrollHeight, 140) + "px";
  });

  locate.addEventListener("click", function () {
    if (!window.isSecureContext || !navigator.geolocation) {
      system("当前页面无法获取定位，请直接输入地址，例如“幸福里小区3号楼”。");
      return;
    }
    system("正在获取您的位置…");
    navigator.geolocation.getCurrentPosition(function (pos) {
      var lat = pos.coords.latitude, lon = pos.coords.longitude;
      locate.classList.remove("wanted");
      send({ type: "location", latitude: lat, longitude: lon },
        "[我的位置] 纬度 " + lat.toFixed(5) + "，经度 " + lon.toFixed(5));
    }, function () {
      system("没能获取到位置（可能未允许定位），请直接输入地址。");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  // A grid worker's photo: uploaded first (bot/web/photos.py), then sent as a message naming its address.
  if (photo) {
    photo.addEventListener("change", function () {
      var file = photo.files && photo.files[0];
      photo.value = "";
      if (!file) { return; }
      system("正在上传照片…");
      fetch("/photos", { method: "POST", body: file, credentials: "same-origin",
                         headers: { "X-CSRF-Token": photo.dataset.token, "Content-Type": file.type || "application/octet-stream" } })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (answer) {
          if (!answer.ok || !answer.body.photo) { system(answer.body.error || "照片没有上传成功，请再试一次。"); return; }
          send({ type: "photo", photo: answer.body.photo }, "[图片]");
        })
        .catch(function () { system("照片没有上传成功，请检查网络后再试。"); });
    });
  }

  connect();
})();
