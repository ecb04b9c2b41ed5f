// tote web UI: the live parts, with EventSource (server-sent events).
// Everything inserted as HTML was rendered and escaped by the server's templates;
// everything built here goes in through textContent, never innerHTML.
(function () {
  "use strict";

  // A live fragment: the element `id` is replaced by each `name` event of its stream
  // (the seed's odds board, and the pools board).
  function liveBoard(id, name, badgeId) {
    var board = document.getElementById(id);
    if (!board || !window.EventSource) return;
    var source = new EventSource(board.dataset.stream);
    source.addEventListener(name, function (event) {
      board.innerHTML = event.data;
      board.dataset.updates = String(Number(board.dataset.updates || "0") + 1);
    });
    source.addEventListener("error", function () {
      var badge = document.getElementById(badgeId);
      if (badge) {
        badge.textContent = "RECONNECTING";
        badge.className = "badge waiting";
      }
    });
  }

  function cell(tag, value) {
    var node = document.createElement(tag);
    node.textContent = typeof value === "string" ? value : JSON.stringify(value);
    return node;
  }

  function ksqlStream() {
    var box = document.getElementById("ksql-stream");
    if (!box || !window.EventSource) return;
    var head = box.querySelector("thead tr");
    var body = box.querySelector("tbody");
    var status = box.querySelector(".stream-status");
    var counter = box.querySelector(".row-count");
    var rows = 0;
    var keep = 500;
    var source = new EventSource("/ksql/stream?sql=" + encodeURIComponent(box.dataset.sql));
    function finish(text, kind) {
      source.close();
      status.textContent = text;
      status.className = "stream-status " + kind;
      box.dataset.state = "done";
    }
    source.addEventListener("header", function (event) {
      var header = JSON.parse(event.data);
      head.replaceChildren.apply(head, header.columns.map(function (c) { return cell("th", c); }));
      status.textContent = "Streaming" + (header.queryId ? " (" + header.queryId + ")" : "") + "…";
      box.dataset.state = "streaming";
    });
    source.addEventListener("row", function (event) {
      var tr = document.createElement("tr");
      JSON.parse(event.data).forEach(function (v) { tr.appendChild(cell("td", v)); });
      body.appendChild(tr);
      while (body.rows.length > keep) body.deleteRow(0);
      rows += 1;
      counter.textContent = String(rows);
    });
    source.addEventListener("failure", function (event) { finish(event.data, "message error"); });
    source.addEventListener("done", function (event) { finish(event.data, "muted"); });
    source.addEventListener("error", function () {
      if (box.dataset.state !== "done") finish("The connection to the UI server was lost.", "message error");
    });
    box.querySelector("button.stop").addEventListener("click", function () { finish("Stopped.", "muted"); });
  }

  liveBoard("board", "board", "board-status");
  liveBoard("pools", "pools", "pools-status");
  ksqlStream();
})();
