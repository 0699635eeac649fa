-- Print only: WeasyPrint floats footnotes to the foot of the page when each note is an inline
-- element at its call (float: footnote). pandoc would collect notes into an endnote section.
-- In generated reference sections (timeline, who's who, glossary …), where every entry is cited,
-- the sources print inline after the entry instead, so that notes do not swamp the page.
local class = "footnote"

function Meta(meta)
  if meta["part-kind"] and pandoc.utils.stringify(meta["part-kind"]) == "generated" then class = "inline-sources" end
end

function Note(el)
  return pandoc.Span(pandoc.utils.blocks_to_inlines(el.content), { class = class })
end

return { { Meta = Meta }, { Note = Note } }
