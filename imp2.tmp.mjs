await import('express')
const c0 = process.cpuUsage(); const r0 = process.memoryUsage().rss
for (const m of process.argv.slice(2)) await import(m)
const c = process.cpuUsage(c0); globalThis.gc()
console.log(process.argv.slice(2).join(' ').padEnd(40), ((c.user + c.system) / 1000).toFixed(0).padStart(5), 'ms cpu', ((process.memoryUsage().rss - r0) / 1048576).toFixed(1), 'MB')
