'use strict';

// The binary's diagnostics (`--format json`: code, severity, message, file, line, column, path,
// help, referenceCode) as text for the Framework's logger and errors.

// Splits what the binary wrote on stderr into its JSON diagnostics and any other lines.
function parseStderr(stderr) {
  const text = String(stderr || '');
  const start = text.startsWith('[') ? 0 : text.indexOf('\n[') + 1;
  if (start > 0 || text.startsWith('[')) {
    try {
      const diagnostics = JSON.parse(text.slice(start));
      if (Array.isArray(diagnostics)) {
        return { diagnostics, other: text.slice(0, start).trim() };
      }
    } catch {
      // Not ours: keep the text as it is.
    }
  }
  return { diagnostics: [], other: text.trim() };
}

function formatDiagnostic(diagnostic) {
  const lines = [`${diagnostic.severity || 'error'}[${diagnostic.code}]: ${diagnostic.message}`];
  if (diagnostic.file && diagnostic.line != null) {
    lines.push(`  --> ${diagnostic.file}:${diagnostic.line}:${diagnostic.column}`);
  } else if (diagnostic.file) {
    lines.push(`  --> ${diagnostic.file}`);
  }
  if (diagnostic.help) lines.push(`  help: ${diagnostic.help}`);
  if (diagnostic.referenceCode) lines.push(`  (the Serverless Framework's code: ${diagnostic.referenceCode})`);
  return lines.join('\n');
}

function formatDiagnostics(diagnostics) {
  return diagnostics.map(formatDiagnostic).join('\n\n');
}

module.exports = { parseStderr, formatDiagnostic, formatDiagnostics };
