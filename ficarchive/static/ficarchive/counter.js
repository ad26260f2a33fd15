// Words and characters counted under a text box as the writer types (`data-max-chars`).
//
// The limit is checked on the server, which gives the text back when it is too long; this only
// says so early. Counted as the server counts: a character is one of the box's value (a line
// break is one), a word a run of non-space characters with a letter or digit in it. No
// `maxlength`: a browser would cut a long paste without a word.
(function () {
  "use strict";

  var WORD = /[\p{L}\p{N}]/u;

  function countWords(text) {
    var words = 0;
    var tokens = text.split(/\s+/);
    for (var i = 0; i < tokens.length; i++) {
      if (WORD.test(tokens[i])) words++;
    }
    return words;
  }

  function plural(n, one, many) {
    return n.toLocaleString("en") + " " + (n === 1 ? one : many);
  }

  function attach(box, index) {
    var limit = parseInt(box.getAttribute("data-max-chars"), 10);
    var counter = document.createElement("p");
    counter.className = "help counter";
    counter.id = (box.id || "text-" + index) + "-counter";
    // Announced only when the text goes over the limit, not at every key.
    var warning = document.createElement("p");
    warning.className = "error counter-warning";
    warning.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", warning);
    box.insertAdjacentElement("afterend", counter);
    var described = box.getAttribute("aria-describedby");
    box.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);

    var pending = false;
    function update() {
      pending = false;
      var text = box.value;
      var length = text.length;
      counter.textContent =
        plural(countWords(text), "word", "words") + ", " +
        length.toLocaleString("en") + " of " + limit.toLocaleString("en") + " characters";
      var over = length - limit;
      box.classList.toggle("over-limit", over > 0);
      var message = over > 0
        ? "Too long by " + plural(over, "character", "characters") +
          ": the archive will give the text back to you unsaved."
        : "";
      if (warning.textContent !== message) warning.textContent = message;
    }
    function later() {
      // A long text is counted once per frame, not once per key.
      if (!pending) {
        pending = true;
        window.requestAnimationFrame(update);
      }
    }
    box.addEventListener("input", later);
    box.addEventListener("change", later);
    update();
  }

  var boxes = document.querySelectorAll("textarea[data-max-chars]");
  for (var i = 0; i < boxes.length; i++) attach(boxes[i], i);
})();
