// The map page: points at the gazetteer's coordinates, coloured by the highest open risk and
// sized by negative posts; tiles only when a tile server is configured, else a blank map with
// the district outline (works on an intranet). Data: /map/data.json.
(function () {
  "use strict";
  var COLORS = { critical: "#c62828", high: "#ef6c00", medium: "#f9a825", none: "#90a4ae" };
  var LEVEL_RU = { critical: "критический", high: "высокий", medium: "средний" };

  function text(tag, value) {
    var node = document.createElement(tag);
    node.textContent = value;
    return node;
  }

  function popup(place) {
    var box = document.createElement("div");
    box.appendChild(text("strong", place.name));
    box.appendChild(text("div", "Негативных публикаций: " + place.negative));
    place.risks.forEach(function (risk) {
      var line = document.createElement("div");
      var link = text("a", "Риск " + risk.label);
      link.href = risk.url;
      line.appendChild(link);
      line.appendChild(document.createTextNode(" · " + (LEVEL_RU[risk.level] || risk.level)));
      box.appendChild(line);
    });
    return box;
  }

  function draw(element, data) {
    var map = L.map(element, { zoomSnap: 0.25 });
    if (data.tiles) {
      L.tileLayer(data.tiles, { maxZoom: 18, attribution: data.attribution || "" }).addTo(map);
    }
    var bounds = L.latLngBounds([]);
    if (data.outline) {
      var outline = L.geoJSON(data.outline, { style: { color: "#1f5fbf", weight: 2, fill: false } }).addTo(map);
      bounds.extend(outline.getBounds());
    }
    data.places.forEach(function (place) {
      var radius = 5 + Math.min(20, Math.sqrt(place.negative) * 3);
      var marker = L.circleMarker([place.lat, place.lon], {
        radius: radius, color: "#333", weight: 1, fillColor: COLORS[place.level] || COLORS.none, fillOpacity: 0.85
      }).addTo(map);
      marker.bindPopup(popup(place));
      marker.bindTooltip(place.name, { permanent: true, direction: "right", className: "map-label", offset: [radius, 0] });
      bounds.extend([place.lat, place.lon]);
    });
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 12 });
    } else {
      map.setView([58.6, 35.8], 9);
    }
    element.dataset.ready = String(data.places.length);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("map");
    if (!element || !window.L) { return; }
    fetch(element.dataset.source, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) { draw(element, data); });
  });
})();
