-- Runs before citeproc on one part of the book.
-- * drops the divs whose classes the edition hides (book.yaml: editions, hide; metadata
--   hide-classes), so that their citations never reach citeproc and note numbers match the edition;
-- * gives each box a heading one level below the heading it follows (its title attribute, or its
--   kind's title from book.yaml: boxes; metadata box-titles), so that the outline never skips a
--   level (h1 → h2 box, h2 → h3 box);
-- * writes quotation marks the book's way when book.yaml sets quotes (metadata quote-marks);
-- * marks table header cells with scope (col for head rows, row for row-head columns), which
--   the print tagging and screen readers use to relate cells to headers;
-- * starts every paragraph with an empty anchor span (class page-anchor, id pg-N numbered before
--   the teacher-only drop, so the same paragraph has the same id in both editions): the print
--   layout reports the page each anchor lands on, and the EPUB turns them into page-break markers;
-- * opens the part with its level-1 heading (label, title, subtitle from the front matter);
-- * prefixes every identifier with the part's slug, so ids stay unique in the merged book.
local stringify = pandoc.utils.stringify
local edition, slug, label, kind = "student", "part", "", "chapter"
local HIDDEN = {}
local BOX_TITLES = {}
local BOX_ORDER = {}
local QUOTES = nil
local MODEL_ANSWER = "Model answer:"
local ids = {}
local figures_dir = "build/figures"

-- The figure's numbers (or a map's places) as a table after it, for readers who cannot see the
-- picture. Cells are plain text (pandoc.Str), never re-read as Markdown, so a label holding "@" or
-- "*" stays what it is.
local function data_table(meta)
  if type(meta.table) ~= "table" or type(meta.table.header) ~= "table" then return nil end
  local function cell(text) return { pandoc.Plain({ pandoc.Str(tostring(text)) }) } end
  local head, aligns, widths, rows = {}, {}, {}, {}
  for _, h in ipairs(meta.table.header) do
    table.insert(head, cell(h)); table.insert(aligns, pandoc.AlignDefault); table.insert(widths, 0)
  end
  for _, r in ipairs(meta.table.rows or {}) do
    local row = {}
    for _, c in ipairs(r) do table.insert(row, cell(c)) end
    table.insert(rows, row)
  end
  local caption = { pandoc.Str("Data: " .. tostring(meta.title)) }
  local simple = pandoc.SimpleTable(caption, aligns, widths, head, rows)
  return pandoc.Div({ pandoc.utils.from_simple_table(simple) }, pandoc.Attr("", { "figure-data" }))
end

-- A `::: {.figure-ref chart="name"}` div becomes the figure drawn from data/figures.yaml or
-- data/maps.yaml: the SVG, its alt text, a caption that cites the figure's sources (so citeproc
-- makes the notes), then its data table.
local function figure(el)
  local name = el.attributes.chart or ""
  -- A chart id, nothing else: a name such as '../../x' would open a file outside build/figures.
  if not name:match("^[%w_-]+$") then
    error("figure name '" .. name .. "' is not a chart id (define it in data/figures.yaml)")
  end
  local handle = assert(io.open(figures_dir .. "/" .. name .. ".json", "r"))
  local meta = pandoc.json.decode(handle:read("a"))
  handle:close()
  local text = "**" .. meta.title .. ".** " .. meta.caption
  if meta.cite ~= "" then text = text .. " [" .. meta.cite .. "]" end
  local alt = pandoc.read(meta.alt, "markdown").blocks[1].content
  local kind = name:match("^map%-") and "map" or "chart"
  local image = pandoc.Image(alt, meta.src, "", pandoc.Attr("", { kind }))
  local fig = pandoc.Figure({ pandoc.Plain({ image }) }, { long = pandoc.read(text, "markdown").blocks },
    pandoc.Attr("part-" .. slug .. "-fig-" .. name))
  local data = data_table(meta)
  if data then return { fig, data } end
  return fig
end

local function prefixed(id)
  if id == "" or id == "refs" then return id end
  return "part-" .. slug .. "-" .. id
end

local function collect_ids(el)
  if el.identifier and el.identifier ~= "" then ids[el.identifier] = true end
end

local function div(el)
  if el.classes:includes("figure-ref") then return figure(el) end
  for _, class in ipairs(el.classes) do
    if HIDDEN[class] then return {} end
  end
  if el.classes:includes("answer") then
    local first = el.content[1]
    if first and (first.t == "Para" or first.t == "Plain") then
      first.content:insert(1, pandoc.Space())
      first.content:insert(1, pandoc.Strong({ pandoc.Str(MODEL_ANSWER) }))
    end
  end
  for _, class in ipairs(BOX_ORDER) do
    local default = BOX_TITLES[class]
    if el.classes:includes(class) then
      local title = el.attributes.title or default
      local level = tonumber(el.attributes["box-level"]) or 3
      el.attributes.title = nil
      el.attributes["box-level"] = nil
      local heading = pandoc.Header(level, pandoc.read(title, "markdown").blocks[1].content,
        pandoc.Attr(prefixed(el.identifier ~= "" and el.identifier .. "-title" or ""), { "box-title", "unnumbered", "unlisted" }))
      el.content:insert(1, heading)
      el.classes:insert("box")
      break
    end
  end
  el.identifier = prefixed(el.identifier)
  return el
end

local function is_box(el)
  for class, _ in pairs(BOX_TITLES) do
    if el.classes:includes(class) then return true end
  end
  return false
end

-- Each box's heading level: one below the last heading before it (the part's h1 counts as 1).
local function assign_box_levels(blocks, level)
  for _, block in ipairs(blocks) do
    if block.t == "Header" then
      level = block.level
    elseif block.t == "Div" then
      if is_box(block) then
        local own = math.min(level + 1, 6)
        block.attributes["box-level"] = tostring(own)
        assign_box_levels(block.content, own)
      else
        assign_box_levels(block.content, level)
      end
    end
  end
end

local function anchor_paragraphs(doc)
  local count = 0
  local function anchor(el)
    count = count + 1
    el.content:insert(1, pandoc.Span({}, pandoc.Attr("pg-" .. count, { "page-anchor" })))
    return el
  end
  return doc:walk({ traverse = "topdown", Note = function(el) return el, false end, Para = anchor, Plain = anchor })
end

local function table_scope(tbl)
  local function mark(rows, columns)
    for _, row in ipairs(rows) do
      for index, cell in ipairs(row.cells) do
        if columns == nil then cell.attributes.scope = "col"
        elseif index <= columns then cell.attributes.scope = "row" end
      end
    end
  end
  mark(tbl.head.rows, nil)
  for _, body in ipairs(tbl.bodies) do
    mark(body.head, nil)
    mark(body.body, body.row_head_columns)
  end
  return tbl
end

local function quoted(el)
  local first = QUOTES and (el.quotetype == "DoubleQuote" and 1 or 3)
  if not first then return nil end
  local result = pandoc.Inlines({ pandoc.Str(pandoc.text.sub(QUOTES, first, first)) })
  result:extend(el.content)
  result:insert(pandoc.Str(pandoc.text.sub(QUOTES, first + 1, first + 1)))
  return result
end

local function set_id(el)
  el.identifier = prefixed(el.identifier)
  return el
end

local function link(el)
  local target = el.target:match("^#(.+)$")
  if target and ids[target] then el.target = "#" .. prefixed(target) end
  return el
end

-- The filter's parameters come from the build's environment, never from the document's metadata:
-- a chapter that set 'edition: teacher' would otherwise print the model answers for students.
local function setting(name, default)
  local value = os.getenv("STUDYGUIDE_" .. name)
  if value == nil then return default end
  return value
end

function Pandoc(doc)
  edition = setting("EDITION", edition)
  slug = setting("PART_SLUG", slug)
  label = setting("PART_LABEL", label)
  kind = setting("PART_KIND", kind)
  figures_dir = setting("FIGURES_DIR", figures_dir)
  for _, class in ipairs(pandoc.json.decode(setting("HIDE_CLASSES", "[]"))) do HIDDEN[class] = true end
  BOX_TITLES = pandoc.json.decode(setting("BOX_TITLES", "{}"))
  for class in pairs(BOX_TITLES) do table.insert(BOX_ORDER, class) end
  table.sort(BOX_ORDER)
  MODEL_ANSWER = setting("MODEL_ANSWER", MODEL_ANSWER)
  local marks = setting("QUOTE_MARKS", "")
  if pandoc.text.len(marks) == 4 then QUOTES = marks end
  doc:walk({ Header = collect_ids, Div = collect_ids, Span = collect_ids })
  doc = anchor_paragraphs(doc)
  assign_box_levels(doc.blocks, 1)
  doc = doc:walk({ Div = div, Header = set_id, Span = set_id, Link = link, Table = table_scope, Quoted = quoted })
  local title = doc.meta.title and doc.meta.title or pandoc.Inlines({ pandoc.Str(slug) })
  local inlines = pandoc.Inlines({})
  if label ~= "" then
    inlines:insert(pandoc.Span({ pandoc.Str(label) }, { class = "part-label" }))
    inlines:insert(pandoc.Space())
  end
  inlines:insert(pandoc.Span(title, { class = "part-title" }))
  local opening = pandoc.Blocks({ pandoc.Header(1, inlines, pandoc.Attr("part-" .. slug, { kind, "part-heading" })) })
  if doc.meta.subtitle then
    opening:insert(pandoc.Div({ pandoc.Plain(doc.meta.subtitle) }, { class = "part-subtitle" }))
  end
  opening:extend(doc.blocks)
  doc.blocks = opening
  return doc
end
