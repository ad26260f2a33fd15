// The chapter editor opened from an overlap report: select the passage the report found.
//
// The report links here with the passage's first words (#passage's data-passage, plain text).
// The text box holds the chapter as HTML, so its words are found in the text the HTML reads as:
// tags skipped, entities decoded, runs of white space as one space, case ignored. The match is
// selected and scrolled to the middle of the box; the text box keeps the focus, so typing edits
// the passage at once.
(function () {
  "use strict";

  var ENTITIES = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'", nbsp: " " };

  // The text of `html` as a reader sees it, and for each of its characters where it starts and
  // ends in `html` (an entity is several characters there).
  function readable(html) {
    var text = [];
    var offsets = [];
    var ends = [];
    var i = 0;
    var space = false;
    function put(character, offset, end) {
      if (/\s/.test(character)) {
        if (space || text.length === 0) { return; }
        space = true;
        character = " ";
      } else {
        space = false;
      }
      var lower = character.toLowerCase();
      text.push(lower.length === 1 ? lower : character);
      offsets.push(offset);
      ends.push(end);
    }
    while (i < html.length) {
      var character = html.charAt(i);
      if (character === "<") {
        var close = html.indexOf(">", i);
        if (close === -1) { break; }
        put(" ", i, i); // a tag ends a word, as a paragraph break does
        i = close + 1;
        continue;
      }
      if (character === "&") {
        var entity = /^&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/i.exec(html.slice(i, i + 12));
        if (entity) {
          var name = entity[1];
          var decoded = name.charAt(0) === "#"
            ? String.fromCodePoint(parseInt(name.slice(1).replace(/^x/i, ""), /^#x/i.test(name) ? 16 : 10))
            : ENTITIES[name.toLowerCase()];
          if (decoded !== undefined) {
            put(decoded, i, i + entity[0].length);
            i += entity[0].length;
            continue;
          }
        }
      }
      put(character, i, i + 1);
      i += 1;
    }
    return { text: text.join(""), offsets: offsets, ends: ends };
  }

  function normal(text) {
    return text.replace(/\s+/g, " ").trim().toLowerCase();
  }

  function select(box, start, end) {
    // Scroll the box so the passage sits a third of the way down: measure the height of the
    // text before it with the box itself, then put the text back.
    var value = box.value;
    box.value = value.slice(0, start);
    var above = box.scrollHeight;
    box.value = value;
    box.scrollTop = Math.max(0, above - box.clientHeight / 3);
    box.focus({ preventScroll: true });
    box.setSelectionRange(start, end, "forward");
    box.scrollIntoView({ block: "start" });
  }

  function run() {
    var note = document.getElementById("passage");
    var box = document.getElementById("id_body");
    if (!note || !box) { return; }
    var wanted = normal(note.getAttribute("data-passage") || "");
    if (!wanted) { return; }
    var read = readable(box.value);
    var at = read.text.indexOf(wanted);
    if (at === -1) {
      note.textContent = "The passage from the overlap check was not found in this chapter: " +
        "it may have been edited since the check.";
      return;
    }
    select(box, read.offsets[at], read.ends[at + wanted.length - 1]);
    note.setAttribute("data-found", "true");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
