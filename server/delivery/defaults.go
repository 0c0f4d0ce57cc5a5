package delivery

// The default bodies. Their wording comes from the locale's phrases in .T;
// a flow step's Body replaces the text part (and the paragraphs of the
// HTML part, unless the step has its own HTML too).
const defaultText = `{{.T.Heading}}

{{if .CustomText}}{{.CustomText}}{{else}}{{.T.Intro}}{{end}}
{{with .Variant.PriceWithCurrency}}
{{$.T.Price}}{{$.T.Colon}} {{.}}{{end}}

{{.T.Button}}{{.T.Colon}} {{.ProductURL}}

--
{{.T.Why}}
{{.T.Unsubscribe}}{{.T.Colon}} {{.UnsubscribeURL}}
`

const defaultHTML = `<!DOCTYPE html>
<html lang="{{.Locale}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Subject}}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f5;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#18181b">
<div style="display:none;max-height:0;overflow:hidden;opacity:0">{{.Preheader}}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px">
<tr><td style="padding:24px 24px 0;font-size:14px;color:#52525b">{{.Shop.Name}}</td></tr>
<tr><td style="padding:8px 24px 0"><h1 style="margin:0;font-size:22px;line-height:1.3">{{.T.Heading}}</h1></td></tr>
{{- with .Variant.ImageURL}}
<tr><td style="padding:16px 24px 0"><a href="{{$.ProductURL}}"><img src="{{.}}" alt="{{$.Variant.ProductTitle}}" width="512" style="display:block;width:100%;max-width:512px;height:auto;border:0;border-radius:6px"></a></td></tr>
{{- end}}
<tr><td style="padding:16px 24px 0;font-size:16px;line-height:1.5">
{{- if .CustomText}}{{range .CustomParagraphs}}<p style="margin:0 0 12px">{{.}}</p>{{end}}{{else}}<p style="margin:0">{{.T.Intro}}</p>{{end -}}
</td></tr>
{{- with .Variant.PriceWithCurrency}}
<tr><td style="padding:8px 24px 0;font-size:16px"><strong>{{$.T.Price}}{{$.T.Colon}} {{.}}</strong></td></tr>
{{- end}}
<tr><td style="padding:20px 24px 24px"><a href="{{.ProductURL}}" style="display:inline-block;background:#18181b;color:#ffffff;text-decoration:none;padding:12px 24px;border-radius:6px;font-weight:600">{{.T.Button}}</a></td></tr>
</table>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px">
<tr><td style="padding:16px 24px;font-size:12px;line-height:1.5;color:#52525b">{{.T.Why}}<br><a href="{{.UnsubscribeURL}}" style="color:#52525b">{{.T.Unsubscribe}}</a></td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`
