// The site skin form: show each choice on the page as it is picked, before it is saved.
//
// The page's <html> carries the skin as data- attributes (base.html) that site.css reads; the
// form's fields have the same names. Saving still posts the form (it works without this).
(function () {
  "use strict";

  var form = document.querySelector("form.skin");
  if (!form) return;
  form.addEventListener("change", function (event) {
    var name = event.target.name;
    if (["skin", "scheme", "size", "width"].indexOf(name) >= 0) {
      document.documentElement.setAttribute("data-" + name, event.target.value);
    }
  });
})();
