/* The activity form in the admin: the chosen type's unit ("bộ", "km", "ngày công") beside the
   quantity, so that a clerk types 1.700 knowing it counts sets of clothes. The units come with
   the type's select (data-units, activities/admin_forms.py); without JavaScript the help text
   under the field says the same. */
(function () {
  "use strict";
  function start() {
    var type = document.querySelector("select[data-units]");
    var quantity = document.getElementById("id_quantity");
    if (!type || !quantity) {
      return;
    }
    var units = JSON.parse(type.getAttribute("data-units"));
    var unit = document.createElement("span");
    unit.className = "quantity-unit";
    unit.id = "id_quantity_unit";
    quantity.insertAdjacentElement("afterend", unit);
    function show() {
      unit.textContent = units[type.value] || "";
    }
    type.addEventListener("change", show);
    show();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
