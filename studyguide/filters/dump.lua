-- Writes the document as it stands (after citeproc) to the JSON file named by the metadata
-- field 'ast-out', so that one pandoc run yields both the print HTML and the EPUB's input.
function Pandoc(doc)
  local path = pandoc.utils.stringify(doc.meta["ast-out"])
  doc.meta["ast-out"] = nil
  local handle = assert(io.open(path, "w"))
  handle:write(pandoc.write(doc, "json"))
  handle:close()
  return doc
end
