-- Print only: WeasyPrint floats footnotes to the foot of the page when each note is an inline
-- element at its call (float: footnote). pandoc would collect notes into an endnote section.
function Note(el)
  return pandoc.Span(pandoc.utils.blocks_to_inlines(el.content), { class = "footnote" })
end
