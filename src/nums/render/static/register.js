// The register's search box: shown only when scripts run (the listing works without it),
// it hides the rows whose text does not hold what is typed. A file, not an inline script, so
// a strict Content-Security-Policy allows it.
(function () {
  var box = document.getElementById("search-box"), input = document.getElementById("search");
  if (!box || !input) return;  // an award's page has no listing to search
  var rows = document.querySelectorAll("#awards tbody tr[id]");
  box.hidden = false;
  input.addEventListener("input", function () {
    var words = input.value.toLowerCase();
    rows.forEach(function (row) { row.hidden = words && row.textContent.toLowerCase().indexOf(words) < 0; });
  });
})();
