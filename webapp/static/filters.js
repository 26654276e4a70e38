// The search page's filters fold on a phone (a <details> that works without JavaScript);
// on a wide screen they are a sidebar, so open them, and a jump to them opens them too.
(function () {
  var panel = document.getElementById("filters");
  if (!panel) return;
  if (window.matchMedia("(min-width: 50rem)").matches) panel.open = true;
  document.querySelectorAll('a[href="#filters"]').forEach(function (a) {
    a.addEventListener("click", function () { panel.open = true; });
  });
})();
