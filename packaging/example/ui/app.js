// Runs the host program installed with this extension and shows what it printed.
// window.ddClient is the Docker Desktop extension API client, present inside Docker Desktop.
(function () {
  "use strict";

  const button = document.getElementById("run");
  const output = document.getElementById("output");

  function show(text) {
    output.textContent = text;
  }

  async function run() {
    const client = window.ddClient;
    if (!client || !client.extension || !client.extension.host) {
      show("The Docker Desktop extension API is not available outside Docker Desktop.");
      return;
    }
    const isWindows = client.host && client.host.platform === "win32";
    const program = isWindows ? "example-cli.exe" : "example-cli";
    button.disabled = true;
    try {
      const result = await client.extension.host.cli.exec(program, []);
      show(result.stdout || result.stderr || "(no output)");
    } catch (error) {
      show("example-cli failed: " + (error && error.stderr ? error.stderr : String(error)));
    } finally {
      button.disabled = false;
    }
  }

  button.addEventListener("click", run);
})();
