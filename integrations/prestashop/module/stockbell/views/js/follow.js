/**
 * Keeps the Stockbell marker on the selected combination. PrestaShop emits
 * updatedProduct after the shopper picks another combination; themes that
 * re-render the additional-info block print a fresh marker, and for those
 * that do not, this sets the marker's variant and availability from the
 * combinations the module printed.
 */
(function () {
  if (typeof prestashop === "undefined" || !prestashop.on) {
    return;
  }
  prestashop.on("updatedProduct", function (event) {
    if (!event || event.id_product_attribute === undefined) {
      return;
    }
    var attribute = String(event.id_product_attribute);
    document.querySelectorAll("[data-stockbell-combinations]").forEach(function (marker) {
      var available = JSON.parse(marker.getAttribute("data-stockbell-combinations") || "{}");
      if (!(attribute in available)) {
        return;
      }
      marker.setAttribute("data-stockbell-variant", marker.getAttribute("data-stockbell-product") + "-" + attribute);
      marker.setAttribute("data-stockbell-available", available[attribute] ? "true" : "false");
    });
  });
})();
