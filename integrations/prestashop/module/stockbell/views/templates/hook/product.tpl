{**
 * The storefront snippet and the marker of the selected combination:
 * data-stockbell-variant is {id_product}-{id_product_attribute}, and
 * data-stockbell-available is false only when it has no stock and takes no
 * orders. data-stockbell-combinations lets follow.js update the marker when
 * the shopper picks another combination. data-stockbell-name is the
 * product's name, which the snippet puts in the button's accessible name.
 *}
<script src="{$stockbell_url|escape:'html':'UTF-8'}/snippet.js" data-shop="{$stockbell_shop|escape:'html':'UTF-8'}" defer></script>
<script src="{$stockbell_follow_js|escape:'html':'UTF-8'}" defer></script>
<div class="stockbell" data-stockbell-variant="{$stockbell_product|intval}-{$stockbell_attribute|intval}"
     data-stockbell-available="{if $stockbell_available}true{else}false{/if}"
     data-stockbell-name="{$stockbell_name|escape:'html':'UTF-8'}"
     data-stockbell-product="{$stockbell_product|intval}"
     data-stockbell-combinations="{$stockbell_combinations|escape:'html':'UTF-8'}"
     data-stockbell-button></div>
