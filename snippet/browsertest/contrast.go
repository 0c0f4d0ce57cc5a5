package browsertest

// LowContrastText is a page expression listing each piece of visible text
// whose colour against the background it is drawn on has less than WCAG's
// 4.5:1 contrast, as "ratio: text" (evaluate it with Eval[[]string]).
const LowContrastText = `(() => {
	const rgb = s => s.match(/[\d.]+/g).map(Number);
	const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
		return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
	const background = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
		if (c.length < 4 || c[3] > 0) return c; } return [255, 255, 255]; };
	const low = [];
	for (const el of document.body.querySelectorAll("*")) {
		const own = [...el.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim()).map(n => n.textContent.trim()).join(" ");
		if (!own || !el.getClientRects().length || getComputedStyle(el).opacity === "0") continue;
		const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
		const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
		if (ratio < 4.5) low.push(ratio.toFixed(2) + ": " + own);
	}
	return low;
})()`
