/* Siaga — the public report form (/lapor/): small helps on top of a plain HTML form that works
 * without JavaScript. Keeps the device id in localStorage as well as in its cookie (a cleared
 * cookie is restored, so the per-device limit holds), fills a map point from the phone's GPS,
 * shows the name and phone fields only when the reporter chooses not to be anonymous, counts
 * the characters of the description, and disables the button once the form is sent (the form's
 * own key already makes a double click harmless). */
(function () {
  "use strict";

  var form = document.querySelector("[data-public-form]");
  if (!form) return;
  var COOKIE = "siaga_device";
  var STORE = "siaga-device";
  var MIN = 20;
  var MAX = 2000;
  var MAX_PHOTOS = 3;

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|;\\s*)" + name + "=([^;]+)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  // --- Device id -------------------------------------------------------------------------------
  var device = cookie(COOKIE);
  var kept = "";
  try { kept = localStorage.getItem(STORE) || ""; } catch (e) { kept = ""; }
  if (kept && /^[\w-]{16,64}$/.test(kept) && kept !== device) {
    device = kept; // the cookie was cleared (or replaced): this browser keeps its first id
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = COOKIE + "=" + encodeURIComponent(device) + "; Max-Age=31536000; Path=/; SameSite=Lax" + secure;
  } else if (device) {
    try { localStorage.setItem(STORE, device); } catch (e) { /* private mode */ }
  }
  var deviceInput = form.querySelector("[name=device_id]");
  if (deviceInput && device) deviceInput.value = device;

  // --- Anonymous or named ----------------------------------------------------------------------
  var anonymous = form.querySelector("[name=anonymous]");
  var identity = form.querySelector("[data-identity]");
  function syncIdentity() { if (identity && anonymous) identity.hidden = anonymous.checked; }
  if (anonymous) anonymous.addEventListener("change", syncIdentity);
  syncIdentity();

  // --- Location --------------------------------------------------------------------------------
  var lat = form.querySelector("[name=lat]");
  var lon = form.querySelector("[name=lon]");
  var gps = form.querySelector("[data-gps]");
  var locate = form.querySelector("[data-locate]");
  var clear = form.querySelector("[data-clear-gps]");
  var strings = locate ? locate.dataset : {};
  function showPoint() {
    var has = lat.value && lon.value;
    if (clear) clear.hidden = !has;
  }
  if (locate) {
    locate.addEventListener("click", function () {
      if (!navigator.geolocation) { gps.textContent = strings.denied || ""; return; }
      gps.textContent = strings.waiting || "";
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lon.value = pos.coords.longitude.toFixed(6);
        gps.textContent = (strings.ok || "") + ": " + lat.value + ", " + lon.value;
        gps.dataset.gps = "ok";
        showPoint();
      }, function () {
        gps.textContent = strings.denied || "";
        gps.dataset.gps = "denied";
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });
  }
  if (clear) {
    clear.addEventListener("click", function () {
      lat.value = "";
      lon.value = "";
      gps.textContent = "";
      delete gps.dataset.gps;
      showPoint();
    });
  }
  showPoint();

  // --- Description counter, photo count, one submit --------------------------------------------
  var description = form.querySelector("[name=description]");
  var counter = form.querySelector("[data-counter]");
  function count() {
    if (!counter || !description) return;
    var n = description.value.trim().length;
    counter.textContent = n + " / " + MAX;
    counter.classList.toggle("field-error", n > 0 && (n < MIN || n > MAX));
  }
  if (description) description.addEventListener("input", count);
  count();

  var photos = form.querySelector("[name=photos]");
  if (photos) {
    photos.addEventListener("change", function () {
      if (photos.files && photos.files.length > MAX_PHOTOS) {
        photos.setCustomValidity(photos.dataset.tooMany || ("max " + MAX_PHOTOS));
        photos.reportValidity();
      } else {
        photos.setCustomValidity("");
      }
    });
  }

  var submit = form.querySelector("[data-submit]");
  form.addEventListener("submit", function (event) {
    if (photos && photos.files && photos.files.length > MAX_PHOTOS) {
      event.preventDefault();
      photos.reportValidity();
      return;
    }
    if (submit) {
      window.setTimeout(function () { submit.disabled = true; }, 0);
      window.setTimeout(function () { submit.disabled = false; }, 15000);
    }
  });
})();
