// Writes `<file>.br` (brotli, best quality) and `<file>.gz` (gzip -9) next to each file
// given, for the server to send to browsers that accept them (server/src/bundles.rs).
// Node's zlib, because node is installed for the tests anyway and the Debian `brotli`
// tool is not.
//   node scripts/lib/precompress.js target/site/pkg/*.wasm …
const fs = require('fs');
const zlib = require('zlib');

for (const file of process.argv.slice(2)) {
  const plain = fs.readFileSync(file);
  const brotli = zlib.brotliCompressSync(plain, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: plain.length,
    },
  });
  fs.writeFileSync(`${file}.br`, brotli);
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(plain, { level: 9 }));
  console.log(`${file}: ${plain.length} bytes, brotli ${brotli.length}`);
}
