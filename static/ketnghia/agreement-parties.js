/* The activity form in the admin: the giver and the recipient are searched among the chosen
   agreement's parties and the units below them (a village of a signing commune), not among every
   unit of the country; the plan item among the agreement's plans. The plan and meeting forms: who
   does an item or a decision, among its agreement's parties. The award form: the justifying
   activities, the event and the source among the agreement's. The agreement's id goes with each
   search of those fields; the server
   narrows the choices (localities.admin, activities.admin autocomplete_choices) and the form
   checks them again on saving. Without an agreement chosen, every unit is offered. */
(function ($) {
  "use strict";
  if (!$) {
    return;
  }
  var FIELDS = new RegExp(
    "(^|&)app_label=activities&model_name=" +
      "(activity&field_name=(giver|recipient|plan_item)|planitem&field_name=responsible|" +
      "followup&field_name=owner|award&field_name=(activities|event|source))(&|$)"
  );
  $.ajaxPrefilter(function (options) {
    if (typeof options.data !== "string" || !FIELDS.test(options.data)) {
      return;
    }
    var agreement = document.getElementById("id_agreement");
    if (agreement && /^\d+$/.test(agreement.value)) {
      options.data += "&agreement=" + agreement.value;
    }
  });
})(window.django && window.django.jQuery);
