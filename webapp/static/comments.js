// Comments are not part of a cached page (webapp/community/comments.py): fetch the thread
// into each section that names it; without JavaScript the section's link leads to it.
"use strict";
for (const box of document.querySelectorAll("section[data-comments]")) {
  fetch(box.dataset.comments, { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
    .then((html) => {
      const parsed = new DOMParser().parseFromString(html, "text/html");
      const thread = parsed.querySelector("section.comments");
      if (thread) box.replaceWith(document.adoptNode(thread));
      if (location.hash.startsWith("#comment")) document.getElementById(location.hash.slice(1))?.scrollIntoView();
    })
    .catch(() => {}); // the link stays
}
