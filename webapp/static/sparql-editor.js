// Progressive enhancement of the SPARQL page: YASGUI (served from this site) replaces the
// plain form when it loads. Autocompleters that would call other hosts (LOV) are off:
// the page talks to this endpoint only.
(function () {
  "use strict";
  var form = document.getElementById("sparql-form");
  var mount = document.getElementById("yasgui");
  if (!form || !mount || typeof window.Yasgui !== "function") {
    return;  // no script or no YASGUI: the plain form keeps working
  }
  var endpoint = new URL(form.getAttribute("action"), window.location.href).href;
  var initial = document.getElementById("query").value;
  var local = { autocompleters: ["prefixes", "variables"] };
  if (window.Yasgui.Yasqe && window.Yasgui.Yasqe.defaults) {
    window.Yasgui.Yasqe.defaults.autocompleters = local.autocompleters;
  }
  var yasgui = new window.Yasgui(mount, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: local
  });
  yasgui.getTab().setQuery(initial);
  form.hidden = true;
  document.querySelectorAll("a[data-example]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      yasgui.getTab().setQuery(link.getAttribute("data-example"));
      mount.scrollIntoView();
    });
  });
})();
