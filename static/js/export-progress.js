// Polls an export job's status until it is ready or failed, updating the progress bar.
(function () {
  const box = document.getElementById("export");
  if (!box) return;
  const el = (id) => document.getElementById(id);
  async function poll() {
    const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const job = await response.json();
    el("export-status").textContent = job.status_display;
    el("export-rows").textContent = job.rows_done;
    el("export-bar").style.width = job.percent + "%";
    if (job.status === "done") {
      el("export-download").hidden = false;
    } else if (job.status === "failed") {
      el("export-error").textContent = job.error;
      el("export-error").hidden = false;
    } else {
      setTimeout(poll, 1000);
    }
  }
  poll();
})();
