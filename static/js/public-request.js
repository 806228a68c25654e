/* The public request form (CSP: loaded from a file, no inline script).
 * Step 1: filter the list of services as the citizen types. Without JavaScript the search
 * form submits ?q= and the server filters the same way.
 * Step 2: the error summary's links move the focus to their field, not only the view. */
(function () {
  "use strict";

  function fold(text) {
    return (text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function serviceSearch() {
    var input = document.getElementById("service-search");
    var list = document.querySelector("[data-service-list]");
    var status = document.getElementById("service-search-status");
    if (!input || !list || !status) {
      return;
    }
    var items = Array.prototype.slice.call(list.querySelectorAll("[data-search]"));
    var groups = Array.prototype.slice.call(list.querySelectorAll("[data-service-group]"));
    var initial = status.textContent;
    var timer = null;

    function announce(shown, words) {
      if (!words.length) {
        status.textContent = initial;
      } else if (shown === 0) {
        status.textContent = status.getAttribute("data-none");
      } else if (shown === 1) {
        status.textContent = status.getAttribute("data-one");
      } else {
        status.textContent = status.getAttribute("data-many").replace("__COUNT__", String(shown));
      }
    }

    function apply() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (item) {
        var text = item.getAttribute("data-search");
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        item.hidden = !match;
        if (match) {
          shown += 1;
        }
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector("[data-search]:not([hidden])");
      });
      // Wait for a pause in typing, so screen readers hear one message, not one per key.
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { announce(shown, words); }, 300);
    }

    input.addEventListener("input", apply);
  }

  function errorSummary() {
    var links = document.querySelectorAll(".crm-error-summary a[href^='#']");
    Array.prototype.forEach.call(links, function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) {
          return;
        }
        event.preventDefault();
        var group = target.closest(".usa-form-group");
        (group || target).scrollIntoView();
        target.focus({ preventScroll: true });
      });
    });
  }

  /* Step 2, where is it: "Use my location" (asked only on the click) and, where the
   * deployment has a tile source, a map to place or correct the pin. Both fill the latitude
   * and longitude fields, which stay the way to give a place by keyboard or without either. */
  function location() {
    var block = document.querySelector("[data-location]");
    if (!block) {
      return;
    }
    var latitude = document.getElementById("id_latitude");
    var longitude = document.getElementById("id_longitude");
    var checkNearby = nearbySetUp(latitude, longitude);
    var map = mapSetUp(block, latitude, longitude, checkNearby);
    var geolocate = block.querySelector("[data-geolocate]");
    if (!geolocate || !latitude || !longitude || !("geolocation" in navigator)) {
      return;
    }
    var button = geolocate.querySelector("[data-geolocate-button]");
    var status = geolocate.querySelector("[data-geolocate-status]");
    geolocate.hidden = false;

    function say(kind) {
      status.textContent = status.getAttribute("data-" + kind);
      status.className = "crm-geolocate__status crm-geolocate__status--" + kind;
    }

    button.addEventListener("click", function () {
      say("asking");
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (position) {
        button.disabled = false;
        latitude.value = position.coords.latitude.toFixed(6);
        longitude.value = position.coords.longitude.toFixed(6);
        if (map) {
          map.place(position.coords.latitude, position.coords.longitude, true);
        }
        say("found");
        checkNearby();
      }, function (error) {
        button.disabled = false;
        say(error && error.code === 1 ? "denied" : "unavailable");
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  /* Reports of the same service already open near the place: asked for whenever the place
   * changes, shown in a polite live region with a way to follow one instead. */
  function nearbySetUp(latitude, longitude) {
    var region = document.getElementById("nearby-reports");
    if (!region || !latitude || !longitude || !window.fetch) {
      return function () {};
    }
    var asked = "";
    function check() {
      var query = "latitude=" + encodeURIComponent(latitude.value.replace(",", ".")) +
        "&longitude=" + encodeURIComponent(longitude.value.replace(",", "."));
      if (!latitude.value || !longitude.value || query === asked) {
        return;
      }
      asked = query;
      window.fetch(region.getAttribute("data-nearby-url") + "?" + query, {
        credentials: "same-origin", headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        return response.ok ? response.text() : "";
      }).then(function (html) {
        region.innerHTML = html;
      }).catch(function () {});
    }
    latitude.addEventListener("change", check);
    longitude.addEventListener("change", check);
    return check;
  }

  function mapSetUp(block, latitude, longitude, onFill) {
    var holder = block.querySelector("[data-map]");
    if (!holder || !window.L || !latitude || !longitude) {
      return null;
    }
    block.querySelector("[data-map-block]").hidden = false;
    var L = window.L;
    var map = L.map(holder, { scrollWheelZoom: false });
    holder.setAttribute("aria-label", holder.getAttribute("data-map-label"));
    holder.setAttribute("aria-describedby", "location-map-hint");
    holder.setAttribute("role", "application");
    L.tileLayer(holder.getAttribute("data-tile-url"), {
      attribution: holder.getAttribute("data-attribution") || "",
      maxZoom: 19
    }).addTo(map);
    var area = (holder.getAttribute("data-area") || "").split(",").map(Number);
    if (area.length === 4 && area.every(isFinite)) {
      map.fitBounds([[area[0], area[1]], [area[2], area[3]]]);
    } else {
      map.setView([0, 0], 1);
    }
    var marker = null;

    function fill(point) {
      latitude.value = point.lat.toFixed(6);
      longitude.value = point.lng.toFixed(6);
      onFill();
    }

    function place(lat, lng, centre) {
      var point = L.latLng(lat, lng);
      if (!marker) {
        marker = L.marker(point, {
          draggable: true,
          keyboard: false, // the coordinate fields are the keyboard's way to move the pin
          alt: holder.getAttribute("data-marker-label")
        }).addTo(map);
        marker.on("dragend", function () { fill(marker.getLatLng()); });
      } else {
        marker.setLatLng(point);
      }
      if (centre) {
        map.setView(point, Math.max(map.getZoom(), 16));
      }
    }

    map.on("click", function (event) {
      place(event.latlng.lat, event.latlng.lng, false);
      fill(event.latlng);
    });

    function fromFields() {
      var lat = parseFloat(latitude.value.replace(",", "."));
      var lng = parseFloat(longitude.value.replace(",", "."));
      if (isFinite(lat) && isFinite(lng) && Math.abs(lat) <= 90 && Math.abs(lng) <= 180) {
        place(lat, lng, true);
      }
    }

    latitude.addEventListener("change", fromFields);
    longitude.addEventListener("change", fromFields);
    fromFields(); // the form came back with a place: show it
    return { place: place };
  }

  serviceSearch();
  errorSummary();
  location();
}());
