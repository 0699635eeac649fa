-- Print only: WeasyPrint floats footnotes to the foot of the page when each note is an inline
-- element at its call (float: footnote). pandoc would collect notes into an endnote section.
-- In generated reference sections (timeline, who's who, glossary …), where every entry is cited,
-- the sources print inline after the entry instead, so that notes do not swamp the page.
local class = "footnote"

-- The part's kind comes from the build (STUDYGUIDE_PART_KIND), never from document metadata.
function Meta(meta)
  if os.getenv("STUDYGUIDE_PART_KIND") == "generated" then class = "inline-sources" end
end

function Note(el)
  return pandoc.Span(pandoc.utils.blocks_to_inlines(el.content), { class = class })
end

return { { Meta = Meta }, { Note = Note } }
