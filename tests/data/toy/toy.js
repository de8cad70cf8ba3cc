// toy.js: the smallest component. It shows its greeting and counts how often the
// learner says it back; the count is its saved state ({ said: n }).
export default {
  render({ model, el }) {
    const payload = model.get("payload");
    const heading = document.createElement("h3");
    heading.textContent = payload.title;
    const line = document.createElement("p");
    line.className = "toy-greeting";
    line.textContent = payload.greeting;
    const button = document.createElement("button");
    button.type = "button";
    const said = () => (model.get("state") || {}).said || 0;
    const label = () => {
      button.textContent = `Say it back (${said()})`;
    };
    const onClick = () => {
      model.set("state", { said: said() + 1 });
      model.save_changes();
    };
    button.addEventListener("click", onClick);
    model.on("change:state", label);
    label();
    el.replaceChildren(heading, line, button);
    return () => {
      button.removeEventListener("click", onClick);
      model.off("change:state", label);
    };
  },
};
