// Spanish texts in the order of `keys` in ../i18n.ts. The form loads this
// file as its own module; the first-load script takes only `button` and `retry`.

/** button is the label of the notify button, shown before any interaction. */
export const button = "Avisarme cuando esté disponible";

/**
 * retry tells a shopper whose press could not load the form (its files
 * failed) that pressing again tries again.
 */
export const retry = "No se pudo cargar. Pulsa para reintentar.";

export default [
  button,
  "Aviso de disponibilidad",
  "Correo electrónico",
  "Teléfono",
  "País",
  "Acepto un único SMS cuando vuelva a estar disponible. Pueden aplicarse tarifas. Baja: STOP.",
  "Enviarme también novedades y ofertas",
  "Avisarme",
  "Enviando…",
  "¡Gracias! Te enviaremos un correo cuando vuelva.",
  "¡Gracias! Te enviaremos un SMS cuando vuelva.",
  "Ya estás en la lista para este artículo.",
  "Introduce un correo electrónico o un número de teléfono.",
  "Algo salió mal. Inténtalo de nuevo.",
  "Cerrar",
  "Revisa tu correo: abre el enlace que acabamos de enviarte para confirmar tu alerta.",
  "Revisa tu teléfono: responde SI al SMS que acabamos de enviarte para confirmar tu alerta.",
  "Revisa tu teléfono y tu correo: confirma tu alerta desde el SMS y el correo que acabamos de enviarte.",
  retry,
  "Introduce un correo electrónico válido, como nombre@ejemplo.es.",
  "Introduce un número de móvil válido: a este número no se pueden enviar SMS.",
  "Marca la casilla para aceptar recibir SMS.",
  "Este artículo vuelve a estar disponible o ya no admite avisos: recarga la página.",
  "Demasiados intentos. Inténtalo de nuevo dentro de un minuto.",
  "Un número de móvil que reciba SMS, con o sin el prefijo del país.",
];
