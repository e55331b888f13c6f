/* The admin lists' filters over a unit, an agreement or a funder (localities/admin_lists.py): a
   search box (the admin's autocomplete) rather than a list of every choice. Choosing one goes to
   the list filtered by it, with the other filters kept. */
(function ($) {
  "use strict";
  if (!$) {
    return;
  }
  $(function () {
    $("select[data-filter-param]").on("change", function () {
      var url = this.getAttribute("data-filter-url") || "?";
      var value = $(this).val();
      if (value) {
        url += (url === "?" ? "" : "&") + encodeURIComponent(this.getAttribute("data-filter-param")) +
          "=" + encodeURIComponent(value);
      }
      window.location.href = url;
    });
  });
})(window.django && window.django.jQuery);
