/* Kết nghĩa: the locality field of the public filters (templates/includes/_locality_field.html)
   as a combobox offering localities as one types: the WAI-ARIA 1.2 combobox pattern with a
   listbox popup and list autocompletion (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/).

   Without this script the field is a text field whose words the server searches. With it, the
   form sends one hidden value: the slug of the suggestion chosen, or the words typed. The
   suggestions come from the field's data-suggestions address (?q=…, JSON); the texts said by the
   live region come from its data- attributes, in the page's language. */
(function () {
  "use strict";

  var DELAY = 250; // milliseconds after the last key, before asking
  var MIN_CHARACTERS = 2;

  function enhance(wrapper) {
    var input = wrapper.querySelector('input[type="text"][name="locality"]');
    if (!input || !input.id) return;
    var data = wrapper.dataset;

    // The value sent: the hidden field the page carries for a locality applied, or a new one.
    var value = wrapper.querySelector('input[type="hidden"][name="locality"]');
    if (!value) {
      value = document.createElement("input");
      value.type = "hidden";
      value.name = "locality";
      value.value = input.value;
      wrapper.insertBefore(value, input);
    }
    input.removeAttribute("name");

    var listbox = document.createElement("ul");
    listbox.id = input.id + "-listbox";
    listbox.className = "locality-listbox";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", data.listboxLabel);
    listbox.hidden = true;
    input.insertAdjacentElement("afterend", listbox);

    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    wrapper.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);

    var results = [];
    var active = -1;
    var timer = null;
    var asked = 0; // the number of the latest request: older answers are dropped

    function isOpen() {
      return !listbox.hidden;
    }

    function open() {
      if (!results.length) return;
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      setActive(-1);
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }

    function setActive(index) {
      var options = listbox.children;
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = index;
      if (index < 0 || !options[index]) {
        active = -1;
        input.removeAttribute("aria-activedescendant");
        return;
      }
      options[index].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    }

    function choose(index) {
      var place = results[index];
      if (!place) return;
      input.value = place.name;
      value.value = place.slug;
      close();
      status.textContent = "";
    }

    function announce(count) {
      var text = count === 0 ? data.none : count === 1 ? data.one : data.many;
      status.textContent = text.replace("{n}", String(count));
    }

    function show(places) {
      results = places;
      listbox.textContent = "";
      active = -1;
      places.forEach(function (place, index) {
        var option = document.createElement("li");
        option.id = listbox.id + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.className = "name";
        name.textContent = place.name;
        var detail = document.createElement("span");
        detail.className = "detail";
        detail.textContent = [place.kind, place.parent, place.former ? data.former : ""]
          .filter(Boolean)
          .join(" · ");
        option.append(name, " ", detail);
        // Pressed, the option keeps the focus in the field; clicked, it is chosen.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
        });
        option.addEventListener("click", function () {
          choose(index);
        });
        listbox.appendChild(option);
      });
      announce(places.length);
      if (places.length) {
        open();
      } else {
        close();
      }
    }

    function clear() {
      results = [];
      listbox.textContent = "";
      status.textContent = "";
      close();
    }

    function ask() {
      var query = input.value.trim();
      var mine = ++asked;
      if (query.length < MIN_CHARACTERS) {
        clear();
        return;
      }
      fetch(data.suggestions + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.statusText);
          return response.json();
        })
        .then(function (answer) {
          if (mine === asked && document.activeElement === input) show(answer.results || []);
        })
        .catch(function () {
          // No suggestion: the words typed are still sent with the form, and searched.
          if (mine === asked) clear();
        });
    }

    input.addEventListener("input", function () {
      value.value = input.value;
      setActive(-1);
      window.clearTimeout(timer);
      if (input.value.trim().length < MIN_CHARACTERS) {
        asked++;
        clear();
        return;
      }
      timer = window.setTimeout(ask, DELAY);
    });

    input.addEventListener("keydown", function (event) {
      var count = results.length;
      switch (event.key) {
        case "ArrowDown":
          if (!count) return;
          event.preventDefault();
          if (!isOpen()) {
            open();
            if (!event.altKey) setActive(0);
          } else if (!event.altKey) {
            setActive(active + 1 < count ? active + 1 : 0);
          }
          break;
        case "ArrowUp":
          if (!count) return;
          event.preventDefault();
          if (event.altKey) {
            if (active >= 0) choose(active);
            else close();
          } else if (!isOpen()) {
            open();
            setActive(count - 1);
          } else {
            setActive(active > 0 ? active - 1 : count - 1);
          }
          break;
        case "Enter":
          if (isOpen() && active >= 0) {
            event.preventDefault(); // chosen, not yet sent
            choose(active);
          } else {
            close();
          }
          break;
        case "Escape":
          if (isOpen()) {
            event.preventDefault();
            close();
          } else if (input.value) {
            event.preventDefault();
            input.value = "";
            value.value = "";
            clear();
          }
          break;
        case "Tab":
          close();
          break;
        case "ArrowLeft":
        case "ArrowRight":
        case "Home":
        case "End":
          setActive(-1); // back to editing the text
          break;
        default:
          break;
      }
    });

    input.addEventListener("blur", function () {
      close();
    });
  }

  document.querySelectorAll(".locality-field[data-suggestions]").forEach(enhance);
})();
