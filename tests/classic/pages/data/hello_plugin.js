// A page's own classic JavaScript plugin (2023.03-2023.05 style): a default-exported class with hooks.
export default class ShoutPlugin {
  configure(config) {
    this.name = config.name;
  }
  afterStartup(interpreter) {
    const out = document.getElementById("js-plugin");
    out.textContent = `js plugin started for ${this.name}; python says ${interpreter.runPython("6 * 7")}`;
  }
}
