// Polls an import job's status while it is queued or running, then reloads the page to show the result.
(function () {
  const box = document.getElementById("import");
  if (!box || !["pending", "running"].includes(box.dataset.status)) return;
  const el = (id) => document.getElementById(id);
  async function poll() {
    const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const job = await response.json();
    el("import-status").textContent = job.status_display;
    el("import-rows").textContent = job.rows_done;
    el("import-bar").style.width = job.percent + "%";
    if (job.status === "pending" || job.status === "running") {
      setTimeout(poll, 1000);
    } else {
      window.location.reload();
    }
  }
  setTimeout(poll, 1000);
})();
