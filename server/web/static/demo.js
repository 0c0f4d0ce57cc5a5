// The demo product page: choosing a size updates the data attributes the
// Stockbell snippet follows, the price line and the add-to-cart button, and
// the URL (?variant=), as a theme would. The demo sells nothing: Add to
// cart says so in its status line rather than do nothing.
"use strict";
document.addEventListener("click", function (e) {
  var add = e.target.closest && e.target.closest("[data-add]");
  if (!add) return;
  add.form.querySelector("[data-cart-note]").textContent =
    "The demo shop has no cart: choose a sold-out size to try Stockbell's “Notify me when available” button.";
});
document.addEventListener("change", function (e) {
  var input = e.target;
  if (!input.matches || !input.matches("input[name=variant]")) return;
  var product = input.closest("[data-stockbell-variant]");
  var available = input.getAttribute("data-available") == "true";
  product.setAttribute("data-stockbell-variant", input.value);
  product.setAttribute("data-stockbell-available", available ? "true" : "false");
  var add = product.querySelector("[data-add]");
  add.disabled = !available;
  add.textContent = available ? "Add to cart" : "Sold out";
  product.querySelector("[data-cart-note]").textContent = "";
  history.replaceState(null, "", "?variant=" + encodeURIComponent(input.value));
});
