// vellum serve: keys n and p move to the next and previous change of a diff.
// Progressive enhancement only: the page is complete without this script.
(function () {
  "use strict";
  var at = -1;
  function marks() {
    return Array.prototype.slice.call(document.querySelectorAll("main del, main ins"));
  }
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var t = e.target;
    if (t && t.closest && t.closest("input, textarea, select, [contenteditable]")) return;
    if (e.key !== "n" && e.key !== "p") return;
    var all = marks();
    if (!all.length) return;
    if (at >= 0 && at < all.length) all[at].classList.remove("current");
    at = e.key === "n" ? Math.min(at + 1, all.length - 1) : Math.max(at - 1, 0);
    var m = all[at];
    var box = m.closest("details");
    if (box) box.open = true;
    m.classList.add("current");
    m.scrollIntoView({ block: "center" });
  });
})();
