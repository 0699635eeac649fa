-- Print only (runs after the AST is dumped for the EPUB).
-- 1. WeasyPrint floats footnotes to the foot of the page when each note is an inline element at its
--    call (float: footnote). pandoc would collect notes into an endnote section. In generated
--    reference sections (timeline, who's who, glossary …), where every entry is cited, the sources
--    print inline after the entry instead, so that notes do not swamp the page.
-- 2. Source lines for the layout check (studyguide/layout.py): every paragraph, list item and
--    heading carries `data-line`, the line of the Markdown file it came from, so that a page fault
--    names `content/04-war-and-diplomacy.md:88`. pandoc's `markdown` reader keeps no positions; its
--    `commonmark_x+sourcepos` reader does, so the source is read a second time with it and the two
--    readings' paragraphs are paired in order by their text without citations (the commonmark
--    reading is used for nothing else). A paragraph is wrapped in a Div to carry the attribute
--    (a Para has none). Every paragraph, heading, box and figure also gets `data-block`, its number
--    in the part, by which the layout repair addresses it (`#section-SLUG [data-block="12"]`).
local class = "footnote"
local stringify = pandoc.utils.stringify

local function plain_text(block)
  -- The words of a block without its citations and notes, which citeproc has rewritten. The
  -- commonmark reader has no citation syntax, so there a bracketed citation is still literal text.
  local stripped = pandoc.walk_block(pandoc.Div({ block }), {
    Cite = function() return {} end, Note = function() return {} end,
  })
  local text = stringify(stripped):gsub("%[[^%[%]]-@[^%[%]]-%]", "")
  -- Spaces and ASCII punctuation do not count: citeproc moves a period before the note call and
  -- drops the space before it ("hungry [@key]." becomes "hungry.¹").
  return (text:gsub("[%s%p]+", ""))
end

local function same_block(print_text, source_text)
  -- The same block: equal words, or (narrative citations, "Model answer:" added by prepare.lua)
  -- the same first 60 bytes or the print text ending with the source's.
  if source_text == "" then return false end
  if print_text == source_text or print_text:sub(-#source_text) == source_text then return true end
  return #print_text >= 60 and print_text:sub(1, 60) == source_text:sub(1, 60)
end

local function positioned_blocks(text)
  -- [{text=…, line=…}] of the paragraphs, plain blocks and headings of the commonmark reading.
  local ok, doc = pcall(pandoc.read, text, "commonmark_x+sourcepos")
  local found = {}
  if not ok then return found end
  local function visit(blocks)
    for _, block in ipairs(blocks) do
      local pos = block.attributes and block.attributes["data-pos"]
      if block.t == "Div" and pos and #block.content == 1
          and (block.content[1].t == "Para" or block.content[1].t == "Plain") then
        found[#found + 1] = { text = plain_text(block.content[1]), line = tonumber(pos:match("^(%d+)")) }
      elseif block.t == "Header" and pos then
        found[#found + 1] = { text = plain_text(block), line = tonumber(pos:match("^(%d+)")) }
      elseif block.t == "Div" or block.t == "BlockQuote" or block.t == "Figure" then
        visit(block.content)
      elseif block.t == "BulletList" or block.t == "OrderedList" then
        for _, item in ipairs(block.content) do visit(item) end
      elseif block.t == "DefinitionList" then
        for _, item in ipairs(block.content) do
          for _, definition in ipairs(item[2]) do visit(definition) end
        end
      end
    end
  end
  visit(doc.blocks)
  return found
end

local function source_lines(doc)
  -- the part's Markdown file, as the build names it (in a batch, pandoc's input is not the part's)
  local file = os.getenv("STUDYGUIDE_PART_SOURCE") or PANDOC_STATE.input_files[1]
  if not file or file == "-" then return doc end
  local handle = io.open(file, "r")
  if not handle then return doc end
  local positioned = positioned_blocks(handle:read("a"))
  handle:close()
  local next_index = 1

  local function line_of(block)
    local text = plain_text(block)
    if text == "" then return nil end
    for i = next_index, #positioned do
      if same_block(text, positioned[i].text) then
        next_index = i + 1
        return positioned[i].line
      end
    end
    return nil
  end

  local blocks = 0
  local function numbered(attributes, line)
    blocks = blocks + 1
    attributes["data-block"] = tostring(blocks)
    if line then attributes["data-line"] = tostring(line) end
  end

  local visit
  local function visit_blocks(list)
    local out = pandoc.Blocks({})
    for _, block in ipairs(list) do out:insert(visit(block)) end
    return out
  end
  visit = function(block)
    if block.t == "Para" or block.t == "Plain" then
      local wrapper = pandoc.Div({ block })
      numbered(wrapper.attributes, line_of(block))
      return wrapper
    elseif block.t == "Header" then
      numbered(block.attributes, line_of(block))
    elseif block.t == "Div" or block.t == "BlockQuote" then
      if block.t == "Div" then numbered(block.attributes, nil) end
      block.content = visit_blocks(block.content)
    elseif block.t == "Figure" then
      numbered(block.attributes, nil)
      block.caption.long = visit_blocks(block.caption.long)
    elseif block.t == "BulletList" or block.t == "OrderedList" then
      for i, item in ipairs(block.content) do block.content[i] = visit_blocks(item) end
    elseif block.t == "DefinitionList" then
      for _, item in ipairs(block.content) do
        for j, definition in ipairs(item[2]) do item[2][j] = visit_blocks(definition) end
      end
    end
    return block
  end
  doc.blocks = visit_blocks(doc.blocks)
  return doc
end

-- The part's kind comes from the build (STUDYGUIDE_PART_KIND), never from document metadata.
function Meta(meta)
  if os.getenv("STUDYGUIDE_PART_KIND") == "generated" then class = "inline-sources" end
end

function Note(el)
  return pandoc.Span(pandoc.utils.blocks_to_inlines(el.content), { class = class })
end

return { { Meta = Meta }, { Pandoc = source_lines }, { Note = Note } }
