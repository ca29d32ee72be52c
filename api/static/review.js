// Reviewer page: keyboard shortcuts (j/k/a/r/e/x), edit in place, bulk selection.
(function () {
  "use strict";
  var cards = Array.prototype.slice.call(document.querySelectorAll(".draft-card"));
  var current = -1;

  function focusCard(index) {
    if (!cards.length) return;
    index = Math.max(0, Math.min(cards.length - 1, index));
    if (cards[current]) cards[current].classList.remove("current");
    current = index;
    cards[current].classList.add("current");
    cards[current].focus({ preventScroll: true });
    cards[current].scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  function startEdit(card) {
    var form = card.querySelector("form.edit");
    if (!form) return;
    form.hidden = false;
    card.querySelector(".view").hidden = true;
    card.querySelector(".actions.decide").hidden = true;
    form.querySelector("input[name=subject]").focus();
  }

  function stopEdit(card) {
    var form = card.querySelector("form.edit");
    if (!form) return;
    form.reset();
    form.hidden = true;
    card.querySelector(".view").hidden = false;
    card.querySelector(".actions.decide").hidden = false;
    card.focus({ preventScroll: true });
  }

  function submit(card, action) {
    var form = card.querySelector('form[action$="/' + action + '"]');
    if (form) form.submit();
  }

  cards.forEach(function (card, index) {
    card.addEventListener("click", function () { if (current !== index) focusCard(index); });
    var edit = card.querySelector(".start-edit");
    if (edit) edit.addEventListener("click", function () { startEdit(card); });
    var cancel = card.querySelector(".cancel-edit");
    if (cancel) cancel.addEventListener("click", function () { stopEdit(card); });
  });

  var selectAll = document.getElementById("select-all");
  var count = document.getElementById("selected-count");
  function updateCount() {
    if (count) count.textContent = document.querySelectorAll(".select:checked").length;
  }
  document.querySelectorAll(".select").forEach(function (box) { box.addEventListener("change", updateCount); });
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      document.querySelectorAll(".select").forEach(function (box) { box.checked = selectAll.checked; });
      updateCount();
    });
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" && target.type !== "checkbox" || target.tagName === "TEXTAREA");
    if (event.key === "Escape" && typing && cards[current]) { stopEdit(cards[current]); return; }
    if (typing || event.ctrlKey || event.metaKey || event.altKey || !cards.length) return;
    var card = cards[current];
    switch (event.key) {
      case "j": focusCard(current + 1); break;
      case "k": focusCard(current - 1); break;
      case "a": if (card) submit(card, "approve"); break;
      case "r": if (card) submit(card, "reject"); break;
      case "e": if (card) { event.preventDefault(); startEdit(card); } break;
      case "x": if (card) { var box = card.querySelector(".select"); if (box) { box.checked = !box.checked; updateCount(); } } break;
      default: return;
    }
  });

  // After a save, the page comes back at #item-<id>: make that draft the current one.
  var anchored = window.location.hash && document.getElementById(window.location.hash.slice(1));
  if (anchored) focusCard(cards.indexOf(anchored));
  else if (cards.length) focusCard(0);
})();
