-- After citeproc, on chapters only: move the chapter's reference list (div#refs) out of the
-- chapter into its own HTML fragment, the "sources cited" list of the chapter's handout. The book
-- itself prints one bibliography at the back, so the chapter keeps no list of its own.
-- The output path is STUDYGUIDE_SOURCES_OUT, set by the build for every part (empty for parts
-- that are not chapters); document metadata is never read for it.
function Pandoc(doc)
  local out = os.getenv("STUDYGUIDE_SOURCES_OUT") or ""
  if out == "" then return nil end
  local kept, refs = pandoc.Blocks({}), nil
  for _, block in ipairs(doc.blocks) do
    if block.t == "Div" and block.identifier == "refs" then refs = block else kept:insert(block) end
  end
  local handle = assert(io.open(out, "w"))
  handle:write(refs and pandoc.write(pandoc.Pandoc({ refs }), "html5") or "")
  handle:close()
  doc.blocks = kept
  return doc
end
