-- Several small parts of one edition in ONE pandoc process, each through exactly the stages of its
-- own run (pandoc.build_part): read as Markdown, the command-line metadata laid over its front
-- matter (as --metadata does), prepare.lua, citeproc on this part alone (first and short notes
-- restart per part), sources.lua, dump.lua, footnotes.lua; its HTML fragment goes to the file the
-- manifest names. What is saved is a pandoc start per part, most of a small part's cost.
--
-- Where the settings come from (the sandbox rule, #18): the build writes a manifest (JSON, in
-- build/) and names it in STUDYGUIDE_BATCH_MANIFEST. The manifest lists the parts in the build's
-- order; for each, its source, the file its HTML goes to, and the environment the build would give
-- its own run (STUDYGUIDE_PART_SLUG, STUDYGUIDE_AST_OUT, …). The filters are run unchanged with an
-- os.getenv that answers the STUDYGUIDE_* names from that entry only, so a part's settings come from
-- the build and nothing in any document (its metadata included) can change them or reach another
-- part's. The batch document itself is empty; its metadata is the build's command line.
local here = PANDOC_SCRIPT_FILE:match("^(.*)/[^/]*$") or "."
local BEFORE = { "prepare.lua" }
local AFTER = { "sources.lua", "dump.lua", "footnotes.lua" }

local function read(path)
  local handle = assert(io.open(path, "r"))
  local text = handle:read("a")
  handle:close()
  return text
end

-- os as one part's own pandoc run sees it: its STUDYGUIDE_* settings are the manifest entry's.
local function part_os(settings)
  local getenv = function(name)
    if name:sub(1, 11) == "STUDYGUIDE_" then return settings[name] end
    return os.getenv(name)
  end
  return setmetatable({ getenv = getenv }, { __index = os })
end

local function run_filters(doc, names, settings)
  for _, name in ipairs(names) do
    -- a fresh environment per filter and part: no filter's state carries over to the next part
    local env = setmetatable({ os = part_os(settings) }, { __index = _G })
    doc = pandoc.utils.run_lua_filter(doc, here .. "/" .. name, env)
  end
  return doc
end

function Pandoc(batch)
  local manifest_path = os.getenv("STUDYGUIDE_BATCH_MANIFEST")
  if not manifest_path or manifest_path == "" then
    error("STUDYGUIDE_BATCH_MANIFEST is not set (the build sets it)")
  end
  local manifest = pandoc.json.decode(read(manifest_path), false)
  for index, part in ipairs(manifest.parts) do
    -- pandoc prints its messages as they happen: this line tells the build whose they are
    io.stderr:write("[PART " .. tostring(index) .. "]\n")
    local doc = pandoc.read(read(part.source), "markdown", PANDOC_READER_OPTIONS)
    for key, value in pairs(batch.meta) do doc.meta[key] = value end
    doc = run_filters(doc, BEFORE, part.env)
    doc = pandoc.utils.citeproc(doc)
    doc = run_filters(doc, AFTER, part.env)
    local handle = assert(io.open(part.html, "w"))
    handle:write(pandoc.write(doc, "html5", PANDOC_WRITER_OPTIONS) .. "\n") -- pandoc ends its output file with a newline
    handle:close()
  end
  return pandoc.Pandoc({})
end
