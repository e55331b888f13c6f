// The admin's map of a locality (ketnghia.maps.point_picker): a click on it sets the latitude
// and longitude fields, and the mark follows what is typed in them. The map's frame is in its
// data attributes: the longitude of its left edge and the latitude of its top (degrees), the
// cosine that shrinks longitudes, and the units of the drawing per degree.
"use strict";
(function () {
  function ready() {
    const svg = document.getElementById("point-picker");
    const latitude = document.getElementById("id_latitude");
    const longitude = document.getElementById("id_longitude");
    if (!svg || !latitude || !longitude) return;
    const west = Number(svg.dataset.west);
    const north = Number(svg.dataset.north);
    const cos = Number(svg.dataset.cos);
    const scale = Number(svg.dataset.scale);
    const ns = "http://www.w3.org/2000/svg";

    function mark() {
      let circle = svg.querySelector("circle.k-picked");
      if (!circle) {
        circle = document.createElementNS(ns, "circle");
        circle.setAttribute("class", "k-picked");
        circle.setAttribute("r", "5");
        svg.appendChild(circle);
      }
      return circle;
    }

    function show(lat, lon) {
      if (!Number.isFinite(lat) || !Number.isFinite(lon)) return;
      const circle = mark();
      circle.setAttribute("cx", ((lon - west) * cos * scale).toFixed(1));
      circle.setAttribute("cy", ((north - lat) * scale).toFixed(1));
    }

    svg.addEventListener("click", function (event) {
      const point = svg.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      const inside = point.matrixTransform(svg.getScreenCTM().inverse());
      const lon = west + inside.x / (cos * scale);
      const lat = north - inside.y / scale;
      latitude.value = lat.toFixed(6);
      longitude.value = lon.toFixed(6);
      latitude.dispatchEvent(new Event("change", { bubbles: true }));
      longitude.dispatchEvent(new Event("change", { bubbles: true }));
      show(lat, lon);
    });
    for (const field of [latitude, longitude]) {
      field.addEventListener("input", function () {
        show(parseFloat(latitude.value), parseFloat(longitude.value));
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
