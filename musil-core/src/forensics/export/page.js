// The script of musil's HTML export (inlined into the page): the side panel (a clicked event,
// its message, the world at that point), and folding the timers' rows away. The chart itself is
// static SVG; `shape` mirrors `svg::shape` in the Rust code that drew it.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("data").textContent);
  var svg = document.getElementById("chart-svg");
  var panel = document.getElementById("panel");
  var H = +svg.getAttribute("data-row-height");
  var TOP = +svg.getAttribute("data-top");
  var MID = Math.floor(H / 2);

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  // The last snapshot taken at or before `step`.
  function stateAt(step) {
    var best = null;
    for (var i = 0; i < data.states.length; i++) {
      if (data.states[i].step <= step) best = data.states[i];
    }
    return best;
  }

  function list(cls, lines, marked) {
    var ul = el("ul", cls);
    lines.forEach(function (line, i) {
      ul.appendChild(el("li", marked && marked.indexOf(i) >= 0 ? "changed" : "", line));
    });
    return ul;
  }

  function world(ev) {
    var st = stateAt(ev.step);
    if (!st) {
      panel.appendChild(el("p", "hint", "No snapshot of the world was recorded for this run."));
      return;
    }
    var when = st.step === 0 ? "the world after the start" : "the world after step " + st.step;
    panel.appendChild(el("h3", null, when + " (changed lines marked)"));
    panel.appendChild(list("state", st.lines, st.changed));
    if (st.diff.length) {
      panel.appendChild(el("h3", null, "what step " + st.step + " changed"));
      panel.appendChild(list("diff", st.diff, null));
    }
  }

  function select(i) {
    var old = svg.querySelectorAll(".selected");
    for (var k = 0; k < old.length; k++) old[k].classList.remove("selected");
    var now = svg.querySelectorAll('[data-event="' + i + '"], [data-arrival="' + i + '"]');
    for (var j = 0; j < now.length; j++) now[j].classList.add("selected");
  }

  function show(i) {
    var ev = data.events[i];
    if (!ev) return;
    panel.textContent = "";
    var step = ev.is_step ? " · step " + ev.step : " · during step " + ev.step;
    panel.appendChild(el("h2", null, "event " + i + " · t=" + ev.time + step));
    panel.appendChild(el("pre", "line", ev.text));
    if (ev.message !== undefined) {
      panel.appendChild(el("h3", null, "message"));
      panel.appendChild(el("pre", "message", ev.message));
      if (ev.mutated) {
        panel.appendChild(el("h3", null, "⇒ mutated in transit to"));
        panel.appendChild(el("pre", "message mutated", ev.mutated));
      }
    }
    if (ev.lines) {
      panel.appendChild(el("h3", null, "changed lines"));
      panel.appendChild(list("diff", ev.lines, null));
    }
    world(ev);
    select(i);
  }

  svg.addEventListener("click", function (e) {
    var target = e.target.closest("[data-event]");
    if (target) show(+target.getAttribute("data-event"));
  });

  // An arrow from x1 to x2, dy pixels down (half: dropped at the send).
  function shape(x1, x2, dy, half) {
    if (half) {
      var end = x1 === x2 ? x1 + 24 : Math.floor((x1 + x2) / 2);
      var right = end >= x1;
      return { points: x1 + "," + MID + " " + end + "," + (MID + 5),
        lx: right ? x1 + 6 : x1 - 6, ly: MID - 3, ex: end, ey: MID + 5 };
    }
    if (x1 === x2) {
      var out = x1 + 24, e = dy + MID;
      return { points: x1 + "," + MID + " " + out + "," + MID + " " + out + "," + e + " " + x1 + "," + e,
        lx: out + 4, ly: Math.floor(dy / 2) + MID + 4, ex: x1, ey: e };
    }
    return { points: x1 + "," + MID + " " + x2 + "," + (dy + MID),
      lx: Math.floor((x1 + x2) / 2), ly: Math.floor(dy / 2) + MID - 3, ex: x2, ey: dy + MID };
  }

  function moveArrows(tops) {
    var arrows = svg.querySelectorAll("g.msg");
    for (var i = 0; i < arrows.length; i++) {
      var g = arrows[i];
      var r1 = +g.getAttribute("data-r1"), r2 = +g.getAttribute("data-r2");
      var s = shape(+g.getAttribute("data-x1"), +g.getAttribute("data-x2"), tops[r2] - tops[r1],
        g.hasAttribute("data-half"));
      g.setAttribute("transform", "translate(0," + tops[r1] + ")");
      g.querySelector("polyline").setAttribute("points", s.points);
      var label = g.querySelector("text.label");
      label.setAttribute("x", s.lx);
      label.setAttribute("y", s.ly);
      var cross = g.querySelector("path.cross");
      if (cross) cross.setAttribute("transform", "translate(" + s.ex + "," + s.ey + ")");
    }
  }

  // Lays the rows out again, without the timers' rows when the box is unticked.
  function relayout() {
    var hide = !document.getElementById("show-timers").checked;
    var rows = svg.querySelectorAll("g.row");
    var tops = [], k = 0;
    for (var r = 0; r < rows.length; r++) {
      tops.push(TOP + k * H);
      if (!(hide && rows[r].classList.contains("timer-row"))) k++;
    }
    tops.push(TOP + k * H);
    var placed = svg.querySelectorAll("[data-row]");
    for (var i = 0; i < placed.length; i++) {
      var e = placed[i];
      e.setAttribute("transform", "translate(0," + tops[+e.getAttribute("data-row")] + ")");
      e.style.display = hide && e.classList.contains("timer-row") ? "none" : "";
    }
    moveArrows(tops);
    var downs = svg.querySelectorAll("rect.down");
    for (var d = 0; d < downs.length; d++) {
      var r1 = +downs[d].getAttribute("data-r1"), r2 = +downs[d].getAttribute("data-r2");
      downs[d].setAttribute("y", tops[r1]);
      downs[d].setAttribute("height", Math.max(0, tops[r2 + 1] - tops[r1]));
    }
    var height = tops[rows.length] + 12;
    svg.setAttribute("height", height);
    svg.setAttribute("viewBox", "0 0 " + svg.getAttribute("width") + " " + height);
    var lanes = svg.querySelectorAll("line.lane-line");
    for (var l = 0; l < lanes.length; l++) lanes[l].setAttribute("y2", height - 6);
  }

  function toFailure() {
    if (data.failing_event === null) return;
    show(data.failing_event);
    var band = svg.querySelector(".failing-step");
    if (band && band.scrollIntoView) band.scrollIntoView({ block: "center", inline: "start" });
  }

  document.getElementById("show-timers").addEventListener("change", relayout);
  document.getElementById("to-failure").addEventListener("click", toFailure);
  toFailure();
})();
