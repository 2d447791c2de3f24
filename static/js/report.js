// The design report page: loads the report with the board's link token (the server sends a shell
// when the page itself arrives without one), then its diagram and the Markdown download.
import { downloadFile, fetchPage, fileUrl, useBoardToken } from "../editor/api.js";
import { candidateTokens, clearLinkToken, openWithTokens } from "./tokens.js";

const main = document.querySelector("main.report");
const boardId = main.dataset.boardId;

async function loadShell() {
  const opened = await openWithTokens(boardId, () => fetchPage(window.location.pathname));
  if (!opened) {
    main.querySelector(".report-loading").textContent = "This board does not exist, or this link no longer works.";
    return false;
  }
  const loaded = new DOMParser().parseFromString(opened.result, "text/html");
  // The server rendered (and escaped) this report; only its main part is taken.
  main.replaceChildren(...loaded.querySelector("main.report").childNodes);
  document.title = loaded.title;
  clearLinkToken();
  return true;
}

async function start() {
  if (main.dataset.shell === "true") {
    if (!(await loadShell())) return;
  } else {
    useBoardToken(candidateTokens(boardId)[0] || "");
  }
  for (const image of main.querySelectorAll("img[data-src]")) {
    fileUrl(image.dataset.src)
      .then((url) => {
        image.src = url;
      })
      .catch(() => {
        image.replaceWith(document.createTextNode("(The diagram could not be drawn.)"));
      });
  }
  for (const link of main.querySelectorAll("a[data-download]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      downloadFile(link.href);
    });
  }
}

start();
