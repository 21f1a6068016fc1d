// Live SMS preview (content editor) and live count (segment builder). The pages work without it.
(function () {
  "use strict";
  function debounce(fn, ms) {
    var timer;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }
  function post(url, form, done) {
    var request = new XMLHttpRequest();
    request.open("POST", url);
    request.setRequestHeader("X-CSRFToken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    request.onload = function () {
      try { done(JSON.parse(request.responseText)); } catch (e) { /* keep the last figure */ }
    };
    request.send(new FormData(form));
  }
  var content = document.getElementById("content-form");
  if (content) {
    content.addEventListener("input", debounce(function () {
      post(content.dataset.previewUrl, content, function (p) {
        document.getElementById("sms-text").textContent = p.text;
        var line = p.encoding + " · " + p.characters + " ký tự · " + p.segments + " phần tin (tối đa " + p.max_segments + ")";
        if (p.flags && p.flags.length) { line += " · cần xem lại: " + p.flags.join(", "); }
        if (p.unknown && p.unknown.length) { line += " · trường thay thế sai: " + p.unknown.join(", "); }
        document.getElementById("sms-count").textContent = line;
      });
    }, 400));
  }
  var segment = document.getElementById("segment-form");
  if (segment) {
    segment.addEventListener("change", debounce(function () {
      post(segment.dataset.countUrl, segment, function (r) {
        document.getElementById("segment-count").textContent = r.count === null ? "—" : r.count;
      });
    }, 300));
  }
})();
