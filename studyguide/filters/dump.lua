-- Writes the document as it stands (after citeproc) to the JSON file the build names in the
-- environment variable STUDYGUIDE_AST_OUT, so that one pandoc run yields both the print HTML and
-- the EPUB's input. The path comes from the build's command line only, never from the document's
-- metadata (a chapter could otherwise name any file to overwrite).
function Pandoc(doc)
  local path = os.getenv("STUDYGUIDE_AST_OUT")
  if not path or path == "" then error("STUDYGUIDE_AST_OUT is not set (the build sets it)") end
  local handle = assert(io.open(path, "w"))
  handle:write(pandoc.write(doc, "json"))
  handle:close()
  return doc
end
