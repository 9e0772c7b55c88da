// Search-box suggestions: fills the box's <datalist> from /api/v1/typeahead as the person
// types. Purely an enhancement; the form works the same without it.
(function () {
  var input = document.querySelector("input[data-typeahead]");
  if (!input || !window.fetch) return;
  var list = document.getElementById(input.getAttribute("list"));
  var timer = null;
  var last = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var words = input.value.split(/\s+/);
      var prefix = words[words.length - 1];
      if (prefix.length < 2 || input.value === last) return;
      last = input.value;
      fetch(input.dataset.typeahead + "?q=" + encodeURIComponent(prefix))
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (body) {
          var head = words.slice(0, -1).join(" ");
          list.textContent = "";
          (body.suggestions || []).forEach(function (word) {
            var option = document.createElement("option");
            option.value = head ? head + " " + word : word;
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 150);
  });
})();
