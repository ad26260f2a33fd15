// Offers existing tags (canonical ones first) while a writer types in a comma-separated tag
// field: the part after the last comma is looked up at /tags/autocomplete, and each answer is
// offered as the whole field's new value through a <datalist>. Without script, the fields are
// plain text fields and work the same.
(function () {
  "use strict";
  document.querySelectorAll("input[data-tag-type]").forEach(function (input) {
    var list = document.createElement("datalist");
    list.id = input.id + "-suggestions";
    input.after(list);
    input.setAttribute("list", list.id);
    var pending = null;
    input.addEventListener("input", function () {
      var value = input.value;
      var cut = value.lastIndexOf(",");
      var head = cut >= 0 ? value.slice(0, cut + 1) + " " : "";
      var term = value.slice(cut + 1).trim();
      if (term.length < 2) { list.replaceChildren(); return; }
      if (pending) { pending.abort(); }
      pending = new AbortController();
      var query = "?type=" + encodeURIComponent(input.dataset.tagType) + "&term=" + encodeURIComponent(term);
      fetch(input.dataset.autocomplete + query, { signal: pending.signal, headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (names) {
          list.replaceChildren.apply(list, names.map(function (name) {
            var option = document.createElement("option");
            option.value = head + name;
            return option;
          }));
        })
        .catch(function () {});
    });
  });
})();
