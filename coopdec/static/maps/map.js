// The Atlas map: countries or French areas shaded by number of projects, authorities as clustered points.
// Everything is drawn from the GeoJSON endpoints of coopdec.maps with the page's search query string; the
// clusters are computed by the server for the zoom level, so the browser only draws what it is sent.
/* global L */

const config = JSON.parse(document.getElementById("map-config").textContent);
const t = config.i18n;
const status = document.getElementById("map-status");

// Metropolitan France; overseas regions are reached by panning, and are listed in the tables.
const FRANCE_BOUNDS = [[41.2, -5.5], [51.2, 9.9]];
const WORLD_BOUNDS = [[-58, -170], [78, 190]];

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_match, name) => String(values[name]));
}

// Leaflet writes string tooltips as HTML; names from the database go in as text nodes instead.
function textNode(text) {
  const span = document.createElement("span");
  span.textContent = text;
  return span;
}

function projectsLabel(n) {
  return format(n === 1 ? t.projects_one : t.projects_many, { n: n.toLocaleString(document.documentElement.lang) });
}

function withQuery(url, extra) {
  const params = new URLSearchParams(config.query);
  for (const [key, value] of Object.entries(extra || {})) params.set(key, value);
  const query = params.toString();
  return query ? `${url}?${query}` : url;
}

// Popups are built from DOM nodes, never from HTML strings: names come from the database.
function popup(title, lines, link, linkLabel) {
  const root = document.createElement("div");
  const heading = document.createElement("p");
  heading.className = "fr-text--bold fr-mb-1v";
  heading.textContent = title;
  root.append(heading);
  for (const line of lines) {
    const p = document.createElement("p");
    p.className = "fr-text--sm fr-mb-1v";
    p.textContent = line;
    root.append(p);
  }
  if (link) {
    const a = document.createElement("a");
    a.className = "fr-link fr-text--sm";
    a.href = link;
    a.textContent = linkLabel;
    root.append(a);
  }
  return root;
}

const map = L.map("map", {
  worldCopyJump: false,
  minZoom: 1,
  maxZoom: config.maxZoom,
  zoomSnap: 1,
  maxBounds: [[-85, -240], [85, 240]],
});
map.attributionControl.setPrefix("Leaflet");
if (config.tiles) {
  L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: config.maxZoom }).addTo(map);
}
// Leaflet puts the keyboard focus on its container: give it a name for screen readers.
map.getContainer().setAttribute("aria-label", t.map_label);
map.getContainer().setAttribute("role", "region");

let classes = [];
function styleFor(feature) {
  const found = classes.find((c) => c.index === feature.properties.class);
  return {
    color: "#666666",
    weight: 0.6,
    fillColor: found ? found.colour : "#f6f6f6",
    fillOpacity: config.tiles ? 0.75 : 1,
  };
}

function areaLayer(data, linkLabel) {
  classes = data.classes;
  return L.geoJSON(data, {
    style: styleFor,
    onEachFeature: (feature, layer) => {
      const p = feature.properties;
      layer.bindPopup(() => popup(p.name, [projectsLabel(p.projects)], p.url, linkLabel));
      layer.bindTooltip(textNode(`${p.name} : ${projectsLabel(p.projects)}`), { sticky: true });
    },
  });
}

const cache = new Map();
async function fetchJSON(url, signal) {
  if (cache.has(url)) return cache.get(url);
  const response = await fetch(url, { signal, headers: { Accept: "application/geo+json" } });
  if (!response.ok) throw new Error(`${response.status}`);
  const data = await response.json();
  cache.set(url, data);
  return data;
}

function setStatus(text) {
  status.textContent = text;
}

// --- Shaded areas --------------------------------------------------------------------------------

let currentArea = null;
let currentView = null;

async function showView(view, { fit = true } = {}) {
  currentView = view;
  for (const id of ["monde", "regions", "departements"]) {
    document.getElementById(`legend-${id}`).hidden = id !== view;
  }
  let url;
  let label;
  if (view === "monde") {
    url = withQuery(config.urls.countries);
    label = t.country_page;
  } else {
    url = withQuery(config.urls.france, { level: view === "regions" ? "region" : "departement" });
    label = view === "regions" ? t.region_page : t.department_page;
  }
  setStatus(t.loading);
  try {
    const data = await fetchJSON(url);
    if (currentView !== view) return;
    if (currentArea) map.removeLayer(currentArea);
    currentArea = areaLayer(data, label).addTo(map);
    currentArea.bringToBack();
    if (fit) map.fitBounds(view === "monde" ? WORLD_BOUNDS : FRANCE_BOUNDS);
    setStatus(t.loaded);
  } catch (error) {
    setStatus(t.error);
  }
  const url2 = new URL(window.location.href);
  url2.searchParams.set("vue", view);
  window.history.replaceState(null, "", url2);
}

// --- Points --------------------------------------------------------------------------------------

const pointsLayer = L.layerGroup();
const pointsToggle = document.getElementById("map-points");
let pointsRequest = null;
let pointsTimer = null;

function clusterMarker(feature, latlng) {
  const p = feature.properties;
  const size = p.authorities < 10 ? 28 : p.authorities < 100 ? 36 : 44;
  const title = format(t.cluster_title, { n: p.authorities });
  const icon = L.divIcon({
    className: "maps-cluster",
    html: `<span>${Number(p.authorities)}</span>`,
    iconSize: [size, size],
  });
  const marker = L.marker(latlng, { icon, title, alt: title, keyboard: true, riseOnHover: true });
  marker.bindTooltip(textNode(p.label));
  marker.on("click", () => map.setView(latlng, Math.min(map.getZoom() + 2, config.maxZoom)));
  return marker;
}

function authorityMarkers(features) {
  // Authorities sharing a position (a region and its department's seat…) become one marker listing both.
  const groups = new Map();
  for (const feature of features) {
    const key = feature.geometry.coordinates.join(",");
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(feature);
  }
  const markers = [];
  for (const group of groups.values()) {
    const [lon, lat] = group[0].geometry.coordinates;
    const sides = new Set(group.map((f) => f.properties.side));
    const side = sides.size === 1 ? [...sides][0] : "mixte";
    const names = group.map((f) => f.properties.name).join(", ");
    const icon = L.divIcon({ className: `maps-dot maps-dot--${side}`, iconSize: [14, 14] });
    const marker = L.marker([lat, lon], { icon, title: names, alt: names, keyboard: true });
    marker.bindPopup(() => {
      const root = document.createElement("div");
      for (const feature of group) {
        const p = feature.properties;
        root.append(popup(p.name, [p.kind_label, p.projects_label], p.url, t.authority_page));
      }
      return root;
    });
    markers.push(marker);
  }
  return markers;
}

async function loadPoints() {
  if (!pointsToggle.checked) return;
  if (pointsRequest) pointsRequest.abort();
  pointsRequest = new AbortController();
  const zoom = map.getZoom();
  const bounds = map.getBounds();
  // Round the box outwards to a grid that shrinks with the zoom (a degree at world scale, a few hundred
  // pixels close up), so that small pans hit the browser's and the server's caches while the box stays
  // within what the server accepts at that zoom.
  const step = Math.min(1, 90 / 2 ** zoom);
  const down = (v) => Math.floor(v / step) * step;
  const up = (v) => Math.ceil(v / step) * step;
  const bbox = [
    Math.max(-180, down(bounds.getWest())),
    Math.max(-90, down(bounds.getSouth())),
    Math.min(180, up(bounds.getEast())),
    Math.min(90, up(bounds.getNorth())),
  ]
    .map((v) => Number(v.toFixed(6)))
    .join(",");
  try {
    const data = await fetchJSON(withQuery(config.urls.points, { zoom, bbox }), pointsRequest.signal);
    pointsLayer.clearLayers();
    const singles = [];
    for (const feature of data.features) {
      const [lon, lat] = feature.geometry.coordinates;
      if (feature.properties.cluster) pointsLayer.addLayer(clusterMarker(feature, L.latLng(lat, lon)));
      else singles.push(feature);
    }
    for (const marker of authorityMarkers(singles)) pointsLayer.addLayer(marker);
  } catch (error) {
    if (error.name !== "AbortError") setStatus(t.error);
  }
}

function schedulePoints() {
  clearTimeout(pointsTimer);
  pointsTimer = setTimeout(loadPoints, 150);
}

pointsToggle.addEventListener("change", () => {
  document.getElementById("legend-points").hidden = !pointsToggle.checked;
  if (pointsToggle.checked) {
    pointsLayer.addTo(map);
    loadPoints();
  } else {
    map.removeLayer(pointsLayer);
  }
});
map.on("moveend", schedulePoints);

// --- View switch ---------------------------------------------------------------------------------

for (const radio of document.querySelectorAll("#map-view input[name=vue]")) {
  radio.addEventListener("change", () => {
    if (radio.checked) showView(radio.value);
  });
}

// Unchecking every partnership kind would mean "no filter" to the search: ask for at least one instead.
const kindBoxes = [...document.querySelectorAll("#map-kinds input[type=checkbox]")];
for (const box of kindBoxes) {
  box.addEventListener("change", () => {
    const none = !kindBoxes.some((b) => b.checked);
    kindBoxes[0].setCustomValidity(none ? t.kinds_none : "");
  });
}

pointsLayer.addTo(map);
map.fitBounds(config.view === "monde" ? WORLD_BOUNDS : FRANCE_BOUNDS);
showView(config.view, { fit: false });
