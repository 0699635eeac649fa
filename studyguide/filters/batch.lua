-- Several parts in one pandoc process, each through exactly the stages of its own pandoc run:
-- read as Markdown, the command-line metadata over its front matter (as -M does), then
-- prepare.lua, citeproc (on this part alone, so first and short notes restart per part), and
-- sources.lua, dump.lua, footnotes.lua; its HTML fragment is written to the file the manifest names.
-- The back matter's small parts go this way: each pandoc start with citeproc costs a CSL parse.
-- The manifest (metadata 'batch-manifest', a JSON file) lists, per part: source, html, meta.
local FILTERS = { before = { "prepare.lua" }, after = { "sources.lua", "dump.lua", "footnotes.lua" } }

local function dir_of(path) return path:match("^(.*)/[^/]*$") or "." end
local here = dir_of(PANDOC_SCRIPT_FILE)

local function read(path)
  local handle = assert(io.open(path, "r"))
  local text = handle:read("a")
  handle:close()
  return text
end

-- -M key:value gives a boolean for true/false and a string otherwise.
local function meta_value(value)
  if value == "true" then return true elseif value == "false" then return false end
  return value
end

local function run_filters(doc, names)
  for _, name in ipairs(names) do doc = pandoc.utils.run_lua_filter(doc, here .. "/" .. name) end
  return doc
end

function Pandoc(batch)
  local manifest = pandoc.json.decode(read(pandoc.utils.stringify(batch.meta["batch-manifest"])))
  batch.meta["batch-manifest"] = nil
  for _, part in ipairs(manifest.parts) do
    io.stderr:write("[PART] " .. part.source .. "\n")
    local doc = pandoc.read(read(part.source), "markdown", PANDOC_READER_OPTIONS)
    for key, value in pairs(batch.meta) do doc.meta[key] = value end
    for key, value in pairs(part.meta) do doc.meta[key] = meta_value(value) end
    doc = run_filters(doc, FILTERS.before)
    doc = pandoc.utils.citeproc(doc)
    doc = run_filters(doc, FILTERS.after)
    local handle = assert(io.open(part.html, "w"))
    handle:write(pandoc.write(doc, "html5", PANDOC_WRITER_OPTIONS) .. "\n")  -- pandoc ends its output file with a newline
    handle:close()
  end
  return pandoc.Pandoc({})
end
